"""Letter number rules on the example strings of the metadata issue (pages built with boxes)."""

from __future__ import annotations

import pytest
from metadata_page import HEAD, fields, meta


@pytest.mark.parametrize("cue", [
    "क्रमांक", "क्र.", "क्रं.", "पत्र क्रमांक", "पत्रांक", "ज्ञापांक", "संख्या", "फा.सं.",
    "आदेश क्रमांक", "No.", "F.No.", "F. No.", "File No.", "D.O. No.", "Memo No.", "O.M. No.",
])
def test_every_number_cue_of_the_issue(cue):
    f = fields(HEAD, f"{cue} 45/स्था./2025     दिनांक 01.08.2025", "विषय:- बैठक बाबत।")
    assert f["letter_no"] == "45/स्था./2025"
    assert f["letter_date"] == "2025-08-01"


@pytest.mark.parametrize("line, number, when", [
    ("क्रमांक/ 1234 /स्था./2025           धमतरी, दिनांक 15.07.2025", "1234/स्था./2025",
     "2025-07-15"),
    ("क्र./८९०/जि.पं./२०२५       दिनांक १५.०७.२०२५", "890/जि.पं./2025", "2025-07-15"),
    ("पत्र क्रमांक एफ 3-12/2025/1/3 भोपाल, दिनांक 05/07/2025", "एफ 3-12/2025/1/3",
     "2025-07-05"),
    ("पत्र क्रमांक एफ 3-12/2025/1/3 भोपाल दिनांक 05/07/2025", "एफ 3-12/2025/1/3",
     "2025-07-05"),
    ("संख्या: 2/1/2025-राजभाषा दिनांक: 15 जुलाई, 2025", "2/1/2025-राजभाषा", "2025-07-15"),
    ("F. No. 11013/08/2013-Estt.(A-III)          Dated the 15th July, 2025",
     "11013/08/2013-Estt.(A-III)", "2025-07-15"),
    ("क्रं. 456/शिका/2025      दि0 15 अप्रेल 2025", "456/शिका/2025", "2025-04-15"),
    ("क्रमांक/1234/स्था०/2025     दि. 15.07.2025", "1234/स्था./2025", "2025-07-15"),
    ("No. 4521/Revenue/2025          Dhamtari, Dated 12.08.2025", "4521/Revenue/2025",
     "2025-08-12"),
])
def test_number_and_date_on_one_line(line, number, when):
    f = fields(HEAD, line, "विषय:- बैठक बाबत।", "महोदय,")
    assert f["letter_no"] == number
    assert f["letter_date"] == when


def test_reference_inward_and_endorsement_numbers_are_not_the_letter_number():
    f = fields("आवक क्रमांक 4512 दिनांक 18.08.2025", HEAD,
               "संदर्भ:- आपका पत्र क्रमांक 567 दिनांक 02.07.2025",
               "विषय:- समीक्षा बाबत।", "महोदय,", "कृपया कार्यवाही करें।",
               "(राजेश कुमार)", "कलेक्टर, धमतरी",
               "पृ.क्रमांक/1235/स्था./2025        दिनांक 16.07.2025",
               "प्रतिलिपि:-", "1. आयुक्त, रायपुर संभाग")
    assert f["letter_no"] is None and f["letter_date"] is None
    assert f["references"] == [{"no": "567", "date": "2025-07-02"}]
    assert f["endorsement_no"] == "1235/स्था./2025"
    assert f["endorsement_date"] == "2025-07-16"


@pytest.mark.parametrize("cue", ["संदर्भ:-", "प्रसंग:-", "Ref:", "Reference:"])
def test_number_inside_a_reference_line_is_a_reference(cue):
    f = fields(HEAD, f"{cue} पत्र क्रमांक 88/2025 दिनांक 02.07.2025", "विषय:- x")
    assert f["letter_no"] is None
    assert f["references"] == [{"no": "88/2025", "date": "2025-07-02"}]


def test_endorsement_cue_split_by_ocr_is_not_the_number():
    f = fields(HEAD, "पृ. क्रमांक/1235/2025   दिनांक 16.07.2025", "विषय:- x")
    assert f["letter_no"] is None
    assert f["endorsement_no"] == "1235/2025"


def test_letterhead_phone_and_fax_numbers_are_skipped():
    f = fields(HEAD, "दूरभाष क्रमांक 07722-232323   ई-मेल: col@nic.in",
               "Tel. No. 0771-2221234     Fax No. 0771-2221235",
               "क्रमांक 12/स्था./2025   दिनांक 01.08.2025", "विषय:- x")
    assert f["letter_no"] == "12/स्था./2025"


def test_noisy_number_cue_still_reads():
    f = fields(HEAD, "क्रेमांक 77/2025   दिनांक 01.08.2025", "विषय:- x")
    assert f["letter_no"] == "77/2025"


def test_ocr_specks_and_doubled_half_letters_leave_the_number():
    f = fields(HEAD, "क्रमांक/ 892/स्स्था./2025 `   धमतरी, दिनांक 01.08.2025", "विषय:- x")
    assert f["letter_no"] == "892/स्था./2025"


def test_a_cue_without_a_number_is_not_a_number():
    f = fields(HEAD, "No. of villages covered", "विषय:- x")
    assert f["letter_no"] is None


def test_the_dated_number_line_beats_a_number_in_the_letterhead():
    f = fields("राजेश अग्रवाल", "विधायक", "विधानसभा क्षेत्र क्रमांक 45, रायपुर ग्रामीण",
               "पत्र क्र. 212/2025          दिनांक 03.08.2025", "विषय:- सड़क मरम्मत बाबत।")
    assert f["letter_no"] == "212/2025" and f["letter_date"] == "2025-08-03"


def test_a_cue_opening_its_line_beats_one_inside_a_phrase_when_no_line_is_dated():
    f = fields("विधानसभा क्षेत्र क्रमांक 45, रायपुर ग्रामीण", "पत्र क्र. 212/2025",
               "                    दिनांक 03.08.2025", "विषय:- सड़क मरम्मत बाबत।")
    assert f["letter_no"] == "212/2025" and f["letter_date"] == "2025-08-03"


def test_a_writ_petition_number_is_a_case_number_not_the_letter_number():
    f = fields("IN THE HIGH COURT OF MADHYA PRADESH AT JABALPUR", "W.P. No. 12345/2025",
               "NOTICE", "No. 5678/W.P./2025          Jabalpur, dated 22.07.2025", "To,",
               "    The Collector, Rewa")
    assert f["letter_no"] == "5678/W.P./2025" and f["letter_date"] == "2025-07-22"
    assert f["case_numbers"] == ["12345/2025"]


@pytest.mark.parametrize("read, number", [
    ("F. No. 11013/08/2013-Estt.(A-IIT)", "11013/08/2013-Estt.(A-III)"),
    ("F. No. 11013/08/2013-Estt.(A-Il)", "11013/08/2013-Estt.(A-II)"),
    ("F.No. 14/1/2025-Estt.(A-IID)", "14/1/2025-Estt.(A-III)"),
    ("F.N0. 15602/18/2024-Estt.(A-III)", "15602/18/2024-Estt.(A-III)"),
    ("No. 1(12)/E.II(A)/2025", "1(12)/E.II(A)/2025"),
])
def test_roman_section_numerals_misread_before_their_bracket(read, number):
    assert fields(f"{read}     Dated 15.07.2025", "Subject: x")["letter_no"] == number


def test_a_letter_and_its_digit_lookalike_in_a_cue():
    f = fields("Government of Chhattisgarh", "D.O0.No. 3294/Secy/2025     Dated 09/04/2025",
               "Subject: x")
    assert f["letter_no"] == "3294/Secy/2025" and f["letter_type"] == "do_letter"


def test_a_long_cue_word_with_one_misread_letter():
    f = fields("अर्दशासकीय पत्र क्रमांक 5827/सचिव/2025   रायपुर, दिनांक 02/01/2025", "विषय:- x")
    assert f["letter_no"] == "5827/सचिव/2025" and f["letter_type"] == "do_letter"


def test_a_number_heading_a_notification_paragraph_ends_before_the_prose():
    f = fields("मध्यप्रदेश शासन", "राजस्व विभाग", "अधिसूचना", "भोपाल, दिनांक 14 अगस्त 2025",
               "क्र. एफ 1-2/2025/सात-1 :: राज्य शासन, एतद्द्वारा, संहिता की धारा 13 के अधीन",
               "क्र. एफ 1-2/2025/सात-1 राज्य शासन एतद्द्वारा धारा 13 के अधीन")
    assert f["letter_no"] == "एफ 1-2/2025/सात-1"
    assert f["letter_date"] == "2025-08-14" and f["letter_type"] == "notification"
    f = fields(HEAD, "क्र. एफ 1-2/2025/सात-1 राज्य शासन एतद्द्वारा धारा 13 के अधीन")
    assert f["letter_no"] == "एफ 1-2/2025/सात-1"


def test_a_dash_between_the_number_and_the_paragraph_is_not_part_of_it():
    f = fields(HEAD, "क्र. एफ 1-2/2025/सात - राज्य शासन एतद्द्वारा धारा 13 के अधीन")
    assert f["letter_no"] == "एफ 1-2/2025/सात"


@pytest.mark.parametrize("line", ["क्रमांक /स्था./2025        दिनांक", "क्रमांक ........../स्था./2025",
                                  "No.          /Estt./2025      Dated"])
def test_a_serial_left_blank_for_the_pen_is_no_number(line):
    f = fields(HEAD, line, "विषय:- x")
    assert f["letter_no"] is None and f["letter_date"] is None
    assert "letter_no not found" in meta(HEAD, line, "विषय:- x")["reasons"]
