"""Subject, sender, addressee, copy, language, type, priority, security and the smaller fields,
on the issue's example strings and noisy cues (pages built with word boxes)."""

from __future__ import annotations

import pytest
from metadata_page import HEAD, fields, meta

from dakscan.classify.metadata import dak_fields
from dakscan.classify.profile import load_profile, skeleton
from dakscan.service.config import reset_settings

NUMBER = "क्रमांक 9/2025   दिनांक 01.08.2025"


@pytest.mark.parametrize("cue", ["विषय:-", "विषयः-", "विषय :", "Subject:", "Sub:", "विषंय:-"])
def test_subject_cues(cue):
    f = fields(HEAD, NUMBER, f"{cue} पेयजल व्यवस्था की समीक्षा बाबत।", "महोदय,")
    assert f["subject"] == "पेयजल व्यवस्था की समीक्षा बाबत।"


def test_subject_runs_over_continuation_lines_and_stops_at_reference():
    f = fields(HEAD, NUMBER, "विषयः- ग्राम पंचायतों में पेयजल",
               "           व्यवस्था की समीक्षा बाबत।",
               "संदर्भ:- पत्र क्रमांक 5 दिनांक 01.07.2025")
    assert f["subject"] == "ग्राम पंचायतों में पेयजल व्यवस्था की समीक्षा बाबत।"


def test_subject_stops_at_salutation_and_at_the_body():
    f = fields(HEAD, NUMBER, "Subject: Review of land records digitisation work",
               "Sir,", "With reference to the above subject, you are requested to take")
    assert f["subject"] == "Review of land records digitisation work"
    f = fields(HEAD, NUMBER, "विषय:- राजस्व प्रकरणों की समीक्षा बाबत",
               "उपरोक्त विषयांतर्गत लेख है कि सभी लंबित प्रकरणों का निराकरण समय सीमा में करें।")
    assert f["subject"] == "राजस्व प्रकरणों की समीक्षा बाबत"


def test_subject_wrapped_back_to_the_margin():
    full = "विषय:- प्रधानमंत्री आवास योजना ग्रामीण के अंतर्गत स्वीकृत आवासों की प्रगति तथा"
    f = fields(HEAD, NUMBER, full, "किश्तों के भुगतान की जानकारी भेजने बाबत।",
               "महोदय,", "उपरोक्त विषयांतर्गत लेख है कि जानकारी भेजें।")
    assert f["subject"].endswith("तथा किश्तों के भुगतान की जानकारी भेजने बाबत।")


def test_sub_divisional_officer_is_not_a_subject_cue():
    f = fields(HEAD, NUMBER, "To,", "Sub Divisional Officer (Revenue),", "Kurud",
               "Subject: Land records.")
    assert f["subject"] == "Land records."
    assert f["addressee"] == "Sub Divisional Officer (Revenue), Kurud"


def test_sender_block_security_and_held_for_a_person():
    m = meta("गोपनीय", "कार्यालय पुलिस अधीक्षक जिला शहडोल", NUMBER, "प्रति,", "    कलेक्टर,",
             "    जिला शहडोल", "विषय:- जानकारी बाबत।", "महोदय,", "पाठ।",
             "                (श्री अमित सिंह)", "                पुलिस अधीक्षक, जिला शहडोल")
    from dakscan.classify.metadata import dak_fields

    f = dak_fields(m)
    assert f["security"] == "confidential"
    assert m["needs_review"] and any("held" in r for r in m["reasons"])
    assert f["sender"] == {"name": "अमित सिंह", "designation": "पुलिस अधीक्षक",
                           "office": "कार्यालय पुलिस अधीक्षक जिला शहडोल", "place": "शहडोल"}
    assert f["addressee"] == "कलेक्टर, जिला शहडोल"


@pytest.mark.parametrize("name_line, name", [
    ("(डॉ. सुनीता वर्मा)", "सुनीता वर्मा"), ("(Shri Anil Kumar Sharma)", "Anil Kumar Sharma"),
    ("( श्रीमती मीना देवांगन )", "मीना देवांगन"), ("(Dr. R. K. Verma)", "R. K. Verma"),
    ("(के. के. सिंह)", "के. के. सिंह"), ("(कु. रीना कश्यप)", "रीना कश्यप"),
])
def test_sender_name_honorifics_stripped(name_line, name):
    f = fields(HEAD, NUMBER, "विषय:- x।", "पाठ।", f"                {name_line}",
               "                कलेक्टर")
    assert f["sender"]["name"] == name and f["sender"]["designation"] == "कलेक्टर"


def test_sign_off_without_brackets_after_the_closing():
    f = fields(HEAD, NUMBER, "Subject: x.", "Sir,", "Body.", "          Yours faithfully,",
               "          Anil Sharma", "          Deputy Collector, Dhamtari")
    assert f["sender"]["name"] == "Anil Sharma"
    assert f["sender"]["designation"] == "Deputy Collector"


def test_designation_in_the_profile_spelling_despite_ocr_marks():
    f = fields(HEAD, NUMBER, "विषय:- x।", "पाठ।", "                (राम कुमार)",
               "                अपरं सचिव, भारत सरकार")
    assert f["sender"]["designation"] == "अपर सचिव"


def test_office_memorandum_to_block_after_the_signature():
    f = fields("No. 2/14/2025-OL", "Government of India", "Ministry of Home Affairs",
               "                New Delhi, the 3rd July, 2025", "OFFICE MEMORANDUM",
               "Subject: Use of Hindi in official work.", "The undersigned is directed to say.",
               "                (Rajesh Kumar)",
               "                Under Secretary to the Government of India",
               "To,", "    All Ministries and Departments of the Government of India.")
    assert f["letter_type"] == "office_memorandum"
    assert f["addressee"] == "All Ministries and Departments of the Government of India."
    assert f["sender"]["designation"] == "Under Secretary to the Government of India"
    assert f["sender"]["office"] == "Ministry of Home Affairs"


@pytest.mark.parametrize("cue", ["प्रति,", "सेवा में,", "To,"])
def test_addressee_cues(cue):
    f = fields(HEAD, NUMBER, cue, "    मुख्य कार्यपालन अधिकारी,", "    जनपद पंचायत कुरूद",
               "विषय:- x")
    assert f["addressee"] == "मुख्य कार्यपालन अधिकारी, जनपद पंचायत कुरूद"


def test_endorsed_copy_to_our_office(monkeypatch):
    monkeypatch.setenv("DAKSCAN_OFFICE_NAMES", "तहसीलदार कुरूद")
    reset_settings()
    try:
        f = fields(HEAD, NUMBER, "प्रति,", "    मुख्य कार्यपालन अधिकारी,", "    जनपद पंचायत",
                   "विषय:- x।", "पाठ।", "            (राजेश कुमार)", "            कलेक्टर",
                   "पृ.क्रमांक/1235/स्था./2025        दिनांक 02.08.2025", "प्रतिलिपि:-",
                   "    1. तहसीलदार कुरूद की ओर सूचनार्थ।")
        assert f["is_copy"] is True
        assert f["endorsement_no"] == "1235/स्था./2025"
        assert f["endorsement_date"] == "2025-08-02"
        assert f["letter_no"] == "9/2025"
        direct = fields(HEAD, NUMBER, "प्रति,", "    तहसीलदार कुरूद", "विषय:- x।",
                        "पृ.क्रमांक/1235/स्था./2025        दिनांक 02.08.2025", "प्रतिलिपि:-",
                        "    1. तहसीलदार कुरूद")
        assert direct["is_copy"] is False
    finally:
        monkeypatch.delenv("DAKSCAN_OFFICE_NAMES")
        reset_settings()


def test_language():
    hi = fields(HEAD, NUMBER, "विषय:- पेयजल व्यवस्था की समीक्षा बाबत।",
                "उपरोक्त विषयांतर्गत लेख है कि सभी ग्राम पंचायतों में पेयजल व्यवस्था की समीक्षा",
                "की जाए तथा प्रतिवेदन इस कार्यालय को भेजा जाए।")
    assert hi["language"] == "hi"
    en = fields("Office of the Collector, District Dhamtari", "No. 4521/Rev/2025",
                "Subject: Review of land records digitisation work.",
                "With reference to the above subject, you are requested to complete the",
                "digitisation of land records of all villages and send the report.")
    assert en["language"] == "en"
    both = fields(HEAD, NUMBER, "विषय:- पेयजल व्यवस्था की समीक्षा बाबत।",
                  "उपरोक्त विषयांतर्गत लेख है कि सभी ग्राम पंचायतों में पेयजल व्यवस्था की",
                  "Subject: Review of drinking water arrangements in all gram panchayats.",
                  "All gram panchayats shall review the drinking water arrangements now.")
    assert both["language"] == "bilingual"
    english_letterhead = fields("Office of the Collector, District Dhamtari", HEAD, NUMBER,
                                "विषय:- पेयजल व्यवस्था की समीक्षा बाबत।",
                                "उपरोक्त विषयांतर्गत लेख है कि सभी ग्राम पंचायतों में पेयजल",
                                "व्यवस्था की समीक्षा कर प्रतिवेदन इस कार्यालय को भेजा जाए।")
    assert english_letterhead["language"] == "hi"


@pytest.mark.parametrize("lines, kind", [
    (("आदेश", NUMBER, "श्री रमेश कुमार को पदस्थ किया जाता है।"), "order"),
    (("परिपत्र", NUMBER, "विषय:- x"), "circular"),
    (("अधिसूचना", NUMBER, "राज्य शासन एतद्द्वारा नियम बनाता है।"), "notification"),
    (("कार्यालय ज्ञाप", NUMBER, "विषय:- x"), "office_memorandum"),
    (("ज्ञापन", NUMBER, "विषय:- x"), "memo"),
    (("अ.शा. पत्र क्रमांक 14/2025   दिनांक 01.08.2025", "विषय:- x"), "do_letter"),
    (("D.O. No. 14/2025   Dated 01.08.2025", "Subject: x"), "do_letter"),
    (("आदेश क्रमांक 3/2025   दिनांक 01.08.2025", "विषय:- x"), "order"),
    (("IN THE HIGH COURT OF CHHATTISGARH AT BILASPUR", "NOTICE", "No. 4/Writ/2025",
      "Subject: Notice in W.P.(C) No. 2116/2025."), "court_notice"),
    (("प्रति,", "लोक सूचना अधिकारी", "विषय:- सूचना का अधिकार अधिनियम 2005 के अंतर्गत जानकारी"),
     "rti_application"),
    (("सेवा में,", "कलेक्टर महोदय", "विषय:- हैंडपंप खराब होने की शिकायत बाबत।"), "complaint"),
    (("विधानसभा सचिवालय", NUMBER, "विषय:- विधानसभा तारांकित प्रश्न क्रमांक 1234 बाबत।"),
     "assembly_question"),
    ((NUMBER, "विषय:- सड़क निर्माण।", "         (रमेश यादव)", "         विधायक, कुरूद"),
     "vip_reference"),
    ((HEAD, NUMBER, "विषय:- बैठक बाबत।"), "letter"),
    (("निमंत्रण", "आप सादर आमंत्रित हैं।"), "other"),
    ((HEAD, "O R D E R", "No. 12/2025   Dated 01.08.2025", "Shri X is posted."), "order"),
    ((HEAD, "आ दे श", NUMBER, "श्री क को पदस्थ किया जाता है।"), "order"),
])
def test_letter_types(lines, kind):
    assert fields(*lines)["letter_type"] == kind


def test_vip_senders():
    for designation in ("विधायक, कुरूद", "सांसद, लोकसभा क्षेत्र रायपुर", "Minister of State"):
        f = fields(NUMBER, "विषय:- सड़क।", "         (रमेश यादव)", f"         {designation}")
        assert f["vip"] is True, designation
    assert fields(NUMBER, "विषय:- x।", "   (राम)", "   कलेक्टर")["vip"] is False


@pytest.mark.parametrize("stamp, priority, time_bound", [
    ("तत्काल", "immediate", False), ("तंत्काल", "immediate", False),
    ("अति आवश्यक", "most_immediate", False), ("अति.आवश्यक", "most_immediate", False),
    ("MOST IMMEDIATE", "most_immediate", False), ("MOST AMMEDIATE", "most_immediate", False),
    ("URGENT", "immediate", False), ("IMMEDIATE", "immediate", False),
    ("समय-सीमा", "normal", True), ("संमय-सींमा", "normal", True), ("TIME BOUND", "normal", True),
    ("अति आवश्यक / समय-सीमा", "most_immediate", True), ("प्राथमिकता", "priority", False),
    ("IMM EDIATE", "immediate", False), ("MOST IMMEDI ATE", "most_immediate", False),
    ("TIMEBOUND", "normal", True),
])
def test_priority_stamps_including_noisy_ones(stamp, priority, time_bound):
    f = fields(stamp, HEAD, "क्रेमांक 77/2025   दिनांक 01.08.2025", "विषय:- x")
    assert f["priority"] == priority
    assert f["time_bound"] is time_bound
    assert f["letter_no"] == "77/2025"


def test_stamp_at_the_right_end_of_the_letterhead_or_number_line():
    f = fields(HEAD + "             तत्काल", NUMBER, "विषय:- x")
    assert f["priority"] == "immediate"
    f = fields(HEAD, "क्रमांक 123/स्था./2025    अति आवश्यक   दिनांक 15.07.2025", "विषय:- x")
    assert f["priority"] == "most_immediate" and f["letter_no"] == "123/स्था./2025"


def test_priority_words_inside_sentences_are_not_stamps():
    f = fields(HEAD, "आदेश", NUMBER, "यह आदेश तत्काल प्रभाव से लागू होगा।",
               "This order shall come into force with immediate effect.")
    assert f["priority"] == "normal"
    f = fields("         (Priya Sahu)", "Under Secretary", NUMBER, "Subject: x")
    assert f["security"] == "normal"


@pytest.mark.parametrize("stamp, level", [
    ("गोपनीय", "confidential"), ("CONFIDENTIAL", "confidential"), ("गुप्त", "secret"),
    ("SECRET", "secret"), ("अति गुप्त", "top_secret"), ("TOP SECRET", "top_secret"),
    ("RESTRICTED", "restricted"), ("CONFIDEN TIAL", "confidential"),
])
def test_security_stamps(stamp, level):
    assert fields(stamp, HEAD, NUMBER, "विषय:- x")["security"] == level


def test_enclosures_deadline_and_case_numbers():
    f = fields(NUMBER, "विषय:- रिट याचिका क्रमांक 1234/2025 में जवाब बाबत।",
               "जानकारी दिनांक 25.08.2025 तक भेजें।", "संलग्न:- 3 पृष्ठ")
    assert f["enclosures"] == 3
    assert f["deadline"] == "2025-08-25"
    assert f["case_numbers"] == ["1234/2025"]
    g = fields("No. 4/Writ/2025   Dated 01.08.2025", "Subject: Notice in W.P.(C) No. 2116/2025.",
               "Return to be filed by 30.09.2025 positively.", "Encl: As above")
    assert g["case_numbers"] == ["2116/2025"] and g["deadline"] == "2025-09-30"
    assert g["enclosures"] is None
    h = fields(NUMBER, "विषय:- राजस्व प्रकरण।", "प्रकरण में पेशी दिनांक 05.09.2025 नियत है।",
               "RTI Registration No. CHTSG/R/2025/60012")
    assert h["deadline"] == "2025-09-05"
    assert "CHTSG/R/2025/60012" in h["case_numbers"]


def test_every_field_has_value_confidence_and_evidence():
    m = meta(HEAD, NUMBER, "विषय:- बैठक बाबत।", "महोदय,", "पाठ।", "    (राम कुमार)", "    कलेक्टर")
    for name in ("letter_no", "letter_date", "subject", "sender_name", "sender_designation"):
        fv = m["fields"][name]
        assert 0 < fv["confidence"] <= 1
        assert fv["evidence"]["page"] == 1 and fv["evidence"]["boxes"]
    assert m["needs_review"] is False and m["profile"] == "default"


def test_missing_key_fields_ask_for_review():
    m = meta("कृपया बैठक में उपस्थित हों।")
    assert m["needs_review"]
    assert {"letter_no not found", "letter_date not found", "subject not found"} <= set(
        m["reasons"])


def test_skeleton_ignores_ocr_marks():
    assert skeleton("तंत्काल") == skeleton("तत्काल")
    assert skeleton("क्रेमांक") == skeleton("क्रमांक")
    assert skeleton("संमय") == skeleton("समय")


def test_short_cues_keep_their_vowels():
    prof = load_profile()
    assert prof.match("प्रिय श्री वर्मा जी,", "cues", "salutation", at_start=True)
    assert prof.match("प्रिया साहू", "cues", "salutation", at_start=True) is None


def test_bihar_profile_layers_prasang_and_mahashay():
    prof = load_profile("bihar")
    assert prof.name == "bihar"
    assert prof.match("प्रेषक,", "cues", "sender_block", at_start=True)
    assert prof.match("प्रसंग:- पत्रांक 12", "cues", "reference", at_start=True)
    assert prof.match("महाशय,", "cues", "salutation", at_start=True)
    f = fields("बिहार सरकार", "कार्यालय जिला पदाधिकारी, पटना",
               "पत्रांक 123/स्था.          पटना, दिनांक 01.08.2025", "प्रेषक,",
               "    जिला पदाधिकारी,", "    पटना।", "सेवा में,", "    प्रधान सचिव,",
               "    राजस्व एवं भूमि सुधार विभाग, बिहार, पटना।", "विषय:- जानकारी बाबत।",
               "प्रसंग:- विभागीय पत्रांक 55 दिनांक 01.07.2025", "महाशय,", "पाठ।",
               "          विश्वासभाजन,", "          (राम कुमार)", "          जिला पदाधिकारी, पटना",
               profile="bihar")
    assert f["letter_no"] == "123/स्था." and f["letter_date"] == "2025-08-01"
    assert f["addressee"].startswith("प्रधान सचिव")
    assert f["references"] == [{"no": "55", "date": "2025-07-01"}]
    assert f["sender"]["designation"] == "जिला पदाधिकारी" and f["sender"]["place"] == "पटना"


def test_unicode_policy_before_matching():
    # ZWJ inside the cue, a Devanagari-zero abbreviation dot, an en dash and NFD input
    f = fields("कार्यालय कलेक्टर, म०प्र०", "क्र\u200dमांक 12/स्था०/2025   दि0 15\u201307\u20132025",
               "विषय\u0903\u2013 बैठक बाबत।")
    assert f["letter_no"] == "12/स्था./2025"
    assert f["letter_date"] == "2025-07-15"
    assert f["subject"] == "बैठक बाबत।"


def test_sign_off_formula_is_not_a_name_and_district_magistrate_is_one_designation():
    f = fields("IN THE HIGH COURT OF MADHYA PRADESH AT JABALPUR", "NOTICE",
               "No. 5678/W.P./2025          Jabalpur, dated 22.07.2025",
               "You are hereby directed to appear on 18.08.2025.",
               "                (By order)", "                Deputy Registrar")
    assert f["sender"]["name"] is None and f["sender"]["designation"] == "Deputy Registrar"
    f = fields(HEAD, "  आदेश", "क्रमांक 345/स्था./2025      दुर्ग, दिनांक 01 अगस्त 2025",
               "श्री मोहन लाल को तहसील कार्यालय पाटन में पदस्थ किया जाता है।",
               "                (डॉ. प्रियंका शुक्ला)", "                कलेक्टर एवं जिला दण्डाधिकारी",
               "                जिला दुर्ग")
    assert f["sender"]["designation"] == "कलेक्टर एवं जिला दण्डाधिकारी"
    assert f["sender"]["name"] == "प्रियंका शुक्ला"


def test_address_block_stops_where_the_body_starts_at_the_margin():
    f = fields("NOTICE", "No. 5678/W.P./2025          Jabalpur, dated 22.07.2025", "To,",
               "    The Collector,", "    Rewa",
               "Whereas the above petition has been filed, you are hereby directed to appear")
    assert f["addressee"] == "The Collector, Rewa"


def test_office_is_the_named_office_before_the_government():
    f = fields("मध्यप्रदेश शासन", "सामान्य प्रशासन विभाग", "मंत्रालय",
               "क्रमांक एफ 3-12/2025/1/3      भोपाल, दिनांक 05/07/2025", "विषय:- x")
    assert f["sender"]["office"] == "सामान्य प्रशासन विभाग"
    f = fields("छत्तीसगढ़ शासन", "क्रमांक 12/2025      रायपुर, दिनांक 05/07/2025", "विषय:- x")
    assert f["sender"]["office"] == "छत्तीसगढ़ शासन"


def test_a_complaint_branch_in_the_letterhead_does_not_make_a_complaint():
    f = fields("कार्यालय कलेक्टर (शिकायत शाखा), जिला कोरबा",
               "क्र./शिका./2025/2211        कोरबा, दिनांक 18/07/2025", "प्रति,", "    श्री रमेश कुमार,",
               "विषय:- आपके आवेदन पत्र दिनांक 02.07.2025 के संबंध में।")
    assert f["letter_type"] == "letter" and f["letter_no"] == "शिका./2025/2211"
    f = fields("सेवा में,", "    कलेक्टर,", "विषय:- राशन दुकान से खाद्यान्न नहीं मिलने की शिकायत।")
    assert f["letter_type"] == "complaint"


def test_a_page_with_nothing_read_claims_no_language_and_asks_for_review():
    m = meta()
    assert m["fields"]["language"]["value"] is None and m["needs_review"]
    assert dak_fields(m)["language"] is None


# Regressions from the unseen letters read through real OCR (bench/metadata_unseen_ocr.py).

def _ocr_page(*lines: str):  # noqa: ANN202
    from metadata_page import page

    return page(*lines)


def _meta_of(pg) -> dict:  # noqa: ANN001
    from metadata_page import RECEIVED

    from dakscan.classify.metadata import extract

    return extract([pg], RECEIVED, load_profile())


def test_a_dash_between_subject_words_is_not_dust():
    """Tesseract boxes a printed ' - ' thin and wide (3 px high) but reads it with confidence."""
    pg = _ocr_page(HEAD, NUMBER,
                   "Subject: Land acquisition for widening of NH-46 - disbursement of compensation"
                   " - reg.", "Sir,")
    for w in pg.lines[2].words:
        if w.text == "-":
            w.box = (w.box[0], w.box[1] + 18, w.box[0] + 11, w.box[1] + 21)
    f = dak_fields(_meta_of(pg))
    assert f["subject"] == ("Land acquisition for widening of NH-46 - disbursement of compensation"
                            " - reg.")


def test_a_thin_low_confidence_dash_is_still_dust():
    pg = _ocr_page(HEAD, NUMBER, "विषय:- पेयजल व्यवस्था - की समीक्षा बाबत।", "महोदय,")
    for w in pg.lines[2].words:
        if w.text == "-":
            w.box, w.conf = (w.box[0], w.box[1] + 18, w.box[0] + 11, w.box[1] + 21), 5.0
    assert dak_fields(_meta_of(pg))["subject"] == "पेयजल व्यवस्था की समीक्षा बाबत।"


def _shift(pg, index: int, dx: int):  # noqa: ANN001, ANN202
    for w in pg.lines[index].words:
        w.box = (w.box[0] + dx, w.box[1], w.box[2] + dx, w.box[3])
    return pg


def test_subject_continuation_indented_with_spaces_in_a_proportional_font():
    """The continuation starts left of the subject's text (spaces are narrower than the cue) but
    well in from the cue: still the subject."""
    pg = _shift(_ocr_page(HEAD, NUMBER, "Subject: Implementation of PM SHRI scheme - release of",
                          "second instalment for 2025-26 - regarding.",
                          "The undersigned is directed to refer to the subject mentioned above."),
                3, 100)
    f = dak_fields(_meta_of(pg))
    assert f["subject"] == ("Implementation of PM SHRI scheme - release of second instalment for "
                            "2025-26 - regarding.")


def test_an_indented_body_line_running_to_the_margin_does_not_join_the_subject():
    pg = _shift(_ocr_page(HEAD, NUMBER, "Subject: Review of the progress of housing works",
                          "With reference to the above subject you are requested to take the "
                          "necessary action at the earliest and send the compliance report"),
                3, 100)
    assert dak_fields(_meta_of(pg))["subject"] == "Review of the progress of housing works"


def test_do_letter_addressee_at_the_margin_under_a_shallow_sign_off_is_not_the_designation():
    f = fields("Rajesh Aggarwal, IAS", "Secretary", "Government of India",
               "D.O. No. 17015/12/2025-SD      Dated the 29th August, 2025",
               "Dear Shri Mishra ji,",
               "I shall be grateful if you could personally look into the matter.",
               "      Yours sincerely,", "      (Rajesh Aggarwal)",
               "Shri Anurag Mishra,", "Chief Secretary,", "Government of Uttar Pradesh, Lucknow.")
    assert f["sender"]["name"] == "Rajesh Aggarwal"
    assert f["sender"]["designation"] == "Secretary"


def test_after_sd_a_name_ocr_broke_is_left_empty_and_the_designation_under_it_read():
    """'(Jay Singh)' read as 'Gay Singh)': no name is guessed, the designation is still read."""
    s = " " * 22
    f = fields(HEAD, NUMBER, "Sub: Special survey of raiyati land.", "Sir,",
               "I am directed to refer to the subject cited above.",
               s + "Yours faithfully,", s + "Sd/-", s + "Gay Singh)", s + "Secretary")
    assert f["sender"]["designation"] == "Secretary"
    assert f["sender"]["name"] is None


def test_a_stray_backslash_after_the_slash_of_a_paired_number_cue():
    f = fields("सं./\\N0. A-12034/5/2025-Ad.II", "भारत सरकार / Government of India",
               "दिनांक/Dated: 27.08.2025", "विषय/Subject: Filling up of posts.")
    assert f["letter_no"] == "A-12034/5/2025-Ad.II"


def test_the_remains_of_to_after_a_paired_addressee_cue_are_not_an_address_line():
    f = fields(HEAD, NUMBER, "सेवा में / 0,", "सभी राज्यों के मुख्य सचिव",
               "The Chief Secretaries of all States", "विषय/Subject: Filling up of posts.")
    assert f["addressee"] == "सभी राज्यों के मुख्य सचिव, The Chief Secretaries of all States"


def test_a_number_word_read_with_low_confidence_is_flagged_for_review():
    pg = _ocr_page(HEAD, "Ref. No.: NHAT/PIU/BPL/2025/887      Date: 03-Sep-2025", "Subject: x.")
    for w in pg.lines[1].words:
        if "/" in w.text:
            w.conf = 50.0
    m = _meta_of(pg)
    assert m["fields"]["letter_no"]["confidence"] < 0.6 and "letter_no uncertain" in m["reasons"]
