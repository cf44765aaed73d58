"""A labelled corpus of Indian government letters, each with the diary fields a clerk would type.

17 templates (collector's letter, endorsement copy, D.O. letter, Office Memorandum with the To
block after the signature, order without addressee, circular, RTI application, court notice
(some with the case heading and 'By order'), citizen complaint, State Government letter with an
F-number, MLA's reference (some on a letterhead with the constituency's number), Bihar-style
letter with प्रेषक/सेवा में/प्रसंग, notification with the number heading its paragraph, Uttar
Pradesh style letter, assembly question call, police letter with section codes before the
serial), in Hindi, English and both; Devanagari and ASCII digits; month spelling variants;
letterhead phone lines, reference lines and inward stamps that carry numbers and dates which are
NOT the letter's; priority and security stamps. Names, offices, numbers and dates come from
seeded lists: the same corpus every run. Pages vary font family and size; every third one is a
full A4 page.

Used by tests/test_metadata_corpus.py (mild degradation) and bench/metadata_accuracy.py
(clean, mild, heavy).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from letters import (
    DEVA_FONT,
    DEVA_SERIF,
    LATIN_FONT,
    LATIN_SERIF,
    LOHIT,
    grey_uneven,
    noisy,
    render_page,
    rotate,
    speckle,
)

RECEIVED = date(2025, 8, 20)
DEVA = str.maketrans("0123456789", "०१२३४५६७८९")
HI_MONTHS = {1: ["जनवरी"], 2: ["फरवरी", "फ़रवरी"], 3: ["मार्च"], 4: ["अप्रैल", "अप्रेल"],
             5: ["मई"], 6: ["जून"], 7: ["जुलाई"], 8: ["अगस्त"], 9: ["सितंबर", "सितम्बर"],
             10: ["अक्टूबर", "अक्तूबर"], 11: ["नवंबर", "नवम्बर"], 12: ["दिसंबर", "दिसम्बर"]}
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
EN_SHORT = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
            "Nov.", "Dec."]
HI_NAMES = ["राजेश कुमार मिश्रा", "सुनीता वर्मा", "अमित सिंह ठाकुर", "प्रिया साहू", "विनोद कुमार पटेल",
            "अनिल शर्मा", "मीना देवांगन", "संजय कुमार यादव", "रीना कश्यप", "दीपक अग्रवाल"]
EN_NAMES = ["Rajesh Kumar Mishra", "Sunita Verma", "Amit Singh Thakur", "Priya Sahu",
            "Vinod Kumar Patel", "Anil Sharma", "Meena Dewangan", "Deepak Agrawal"]
HONORIFIC_HI = ["", "", "श्री ", "डॉ. "]
HONORIFIC_EN = ["", "", "Shri ", "Dr. "]
DISTRICTS = [("धमतरी", "Dhamtari"), ("शहडोल", "Shahdol"), ("रायपुर", "Raipur"),
             ("बिलासपुर", "Bilaspur"), ("दुर्ग", "Durg"), ("सीधी", "Sidhi"), ("रीवा", "Rewa")]
HI_SUBJECTS = ["ग्राम पंचायतों में पेयजल व्यवस्था की समीक्षा बाबत।",
               "प्रधानमंत्री आवास योजना की प्रगति की जानकारी भेजने बाबत।",
               "राजस्व प्रकरणों के निराकरण की समीक्षा बैठक बाबत।",
               "मनरेगा अंतर्गत मजदूरी भुगतान में विलंब बाबत।",
               "विद्यालय भवनों की मरम्मत हेतु राशि स्वीकृति बाबत।",
               "खरीफ फसल गिरदावरी कार्य पूर्ण कराने बाबत।",
               "जाति प्रमाण पत्र जारी करने में हो रहे विलंब के संबंध में।",
               "आंगनबाड़ी केन्द्रों में पोषण आहार वितरण की जानकारी।"]
EN_SUBJECTS = ["Review of land records digitisation work.",
               "Submission of progress report on rural housing scheme.",
               "Use of Hindi in official work of the Ministry.",
               "Repair of school buildings under State Plan.",
               "Payment of wages under MGNREGA in time.",
               "Preparation of electoral rolls - revision schedule.",
               "Annual inspection of sub-treasuries in the district."]
HI_DESIG = ["कलेक्टर", "अपर कलेक्टर", "मुख्य कार्यपालन अधिकारी", "अनुविभागीय अधिकारी",
            "पुलिस अधीक्षक", "जिला शिक्षा अधिकारी", "कार्यपालन यंत्री", "उप संचालक"]
EN_DESIG = ["Collector", "Under Secretary", "Deputy Secretary", "Joint Secretary", "Director",
            "Additional Collector", "Superintendent of Police"]
SECTIONS = ["स्था.", "राजस्व", "शिका.", "पंचा.", "स्था०", "भू-अभि.", "लेखा", "जि.पं.", "विकास"]
EN_SECTIONS = ["Estt.", "Rev.", "Genl.", "Dev.", "Accts.", "Elec."]
BODY_HI = ["उपरोक्त विषयांतर्गत लेख है कि इस संबंध में आवश्यक कार्यवाही",
           "सुनिश्चित करते हुए पालन प्रतिवेदन इस कार्यालय को भेजना सुनिश्चित करें।"]
BODY_EN = ["With reference to the above subject, you are requested to take",
           "necessary action and send the compliance report to this office."]
SIGN = " " * 34
FONTS = [(DEVA_FONT, LATIN_FONT), (DEVA_SERIF, LATIN_SERIF), (LOHIT, LATIN_FONT)]
PAGE_WIDTH = 1800  # the widest line (number and date) ends near 1500 px at 300 dpi


@dataclass
class Sample:
    template: str
    lines: list[str]
    truth: dict = field(default_factory=dict)


def _date(rng: random.Random) -> date:
    return RECEIVED - timedelta(days=rng.randint(2, 330))


def _hi_date(d: date, rng: random.Random, deva: bool = False) -> str:
    style = rng.randint(0, 4)
    if style == 0:
        s = f"{d.day:02d}.{d.month:02d}.{d.year}"
    elif style == 1:
        s = f"{d.day:02d}/{d.month:02d}/{d.year}"
    elif style == 2:
        s = f"{d.day}-{d.month:02d}-{d.year}"
    elif style == 3:
        s = f"{d.day} {rng.choice(HI_MONTHS[d.month])}, {d.year}"
    else:
        s = f"{d.day} {rng.choice(HI_MONTHS[d.month])} {d.year}"
    return s.translate(DEVA) if deva else s


def _en_date(d: date, rng: random.Random) -> str:
    style = rng.randint(0, 4)
    suffix = "th" if 11 <= d.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
    if style == 0:
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if style == 1:
        return f"{d.day}{suffix} {EN_MONTHS[d.month - 1]}, {d.year}"
    if style == 2:
        return f"{EN_MONTHS[d.month - 1]} {d.day}, {d.year}"
    if style == 3:
        return f"{d.day} {EN_SHORT[d.month - 1]} {d.year}"
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _gap(rng: random.Random) -> str:
    return " " * rng.randint(12, 22)


def _hi_stamp(rng: random.Random) -> tuple[list[str], str, bool]:
    """(stamp lines, priority, time_bound)."""
    r = rng.random()
    pad = " " * rng.choice([0, 0, 40])
    if r < 0.12:
        return [pad + "अति आवश्यक"], "most_immediate", False
    if r < 0.2:
        return [pad + "अति आवश्यक / समय-सीमा"], "most_immediate", True
    if r < 0.35:
        return [pad + "तत्काल"], "immediate", False
    if r < 0.42:
        return [pad + "समय-सीमा"], "normal", True
    return [], "normal", False


def _en_stamp(rng: random.Random) -> tuple[list[str], str, bool]:
    r = rng.random()
    pad = " " * rng.choice([0, 0, 40])
    if r < 0.15:
        return [pad + "MOST IMMEDIATE"], "most_immediate", False
    if r < 0.3:
        return [pad + rng.choice(["IMMEDIATE", "URGENT"])], "immediate", False
    if r < 0.36:
        return [pad + "TIME BOUND"], "normal", True
    return [], "normal", False


def _num(rng: random.Random) -> str:
    return str(rng.randint(101, 9899))


def _truth(**kw: object) -> dict:
    base = {"priority": "normal", "time_bound": False, "security": "normal"}
    return {**base, **kw}


def _phone_hi(rng: random.Random) -> str:
    return (f"दूरभाष क्रमांक 0{rng.randint(7700, 7899)}-{rng.randint(220000, 239999)}"
            f"   ई-मेल: col{rng.randint(10, 99)}@nic.in")


def _phone_en(rng: random.Random) -> str:
    return (f"Phone No. 0{rng.randint(7700, 7899)}-{rng.randint(220000, 239999)}"
            f"   Fax No. 0{rng.randint(7700, 7899)}-{rng.randint(220000, 239999)}")


def _inward(rng: random.Random, d: date) -> list[str]:
    """A clerk's inward stamp at the top right: a number and a date that are not the letter's."""
    if rng.random() < 0.7:
        return []
    got = d + timedelta(days=rng.randint(1, 5))
    return [" " * 44 + f"आवक क्रमांक {rng.randint(1000, 9999)} दिनांक "
            f"{got.day:02d}.{got.month:02d}.{got.year}"]


def _reference_hi(rng: random.Random, d: date) -> list[str]:
    if rng.random() < 0.5:
        return []
    cue = rng.choice(["संदर्भ:-", "सन्दर्भ:-", "संदर्भ :"])
    ref = d - timedelta(days=rng.randint(5, 60))
    return [f"{cue} आपका पत्र क्रमांक {_num(rng)}/{rng.choice(SECTIONS)}/{ref.year} "
            f"दिनांक {ref.day:02d}.{ref.month:02d}.{ref.year}"]


def _reference_en(rng: random.Random, d: date) -> list[str]:
    if rng.random() < 0.5:
        return []
    ref = d - timedelta(days=rng.randint(5, 60))
    return [f"Reference: Your letter No. {_num(rng)}/{rng.choice(EN_SECTIONS)}/{ref.year} "
            f"dated {ref.day:02d}.{ref.month:02d}.{ref.year}"]


def _number_lines(rng: random.Random, cue: str, shown: str, place: str, dated: str,
                  date_cue: str) -> list[str]:
    """Number and date on one printed line (most offices) or the date on the next line."""
    if rng.random() < 0.8:
        return [f"{cue} {shown}{_gap(rng)}{place}, {date_cue} {dated}"]
    return [f"{cue} {shown}", " " * 40 + f"{place}, {date_cue} {dated}"]


def collector_letter(rng: random.Random, endorse: bool = False) -> Sample:
    deva = rng.random() < 0.3
    dist = rng.choice(DISTRICTS)
    d, n = _date(rng), _num(rng)
    sec = rng.choice(SECTIONS)
    shown = f"{n}/{sec}/{d.year}"
    no = shown.replace("०", ".")
    cue = rng.choice(["क्रमांक/", "क्र./", "पत्र क्रमांक", "क्रमांक", "क्रं./"])
    if deva:
        shown = shown.translate(DEVA)
    stamp, prio, tb = _hi_stamp(rng)
    desig = rng.choice(HI_DESIG)
    subject = rng.choice(HI_SUBJECTS)
    head = [f"कार्यालय {desig}, जिला {dist[0]}"]
    if rng.random() < 0.4:
        head += [f"Office of the {EN_DESIG[0]}, District {dist[1]}"]
    if rng.random() < 0.5:
        head += [_phone_hi(rng)]
    dcue = rng.choice(["दिनांक", "दिनांक", "दि.", "दिनांक:"])
    name = rng.choice(HI_NAMES)
    sign_desig = f"{desig}, जिला {dist[0]}" if rng.random() < 0.7 else desig
    lines = [*_inward(rng, d), *stamp, *head,
             *_number_lines(rng, cue, shown, dist[0], _hi_date(d, rng, deva), dcue),
             "प्रति,", "    मुख्य कार्यपालन अधिकारी,", f"    जनपद पंचायत, जिला {dist[0]}",
             f"{rng.choice(['विषय:-', 'विषयः-', 'विषय :'])} {subject}", *_reference_hi(rng, d),
             *BODY_HI, f"{SIGN}({rng.choice(HONORIFIC_HI)}{name})", f"{SIGN}{sign_desig}"]
    truth = _truth(letter_no=no, letter_date=d.isoformat(), subject=subject, designation=desig,
                   language="hi", letter_type="letter", priority=prio, time_bound=tb,
                   sender_name=name)  # an English letterhead line does not make it bilingual
    if endorse:
        e = f"{int(n) + 1}/{sec.replace('०', '.')}/{d.year}"
        e_cue = rng.choice(["पृ.क्रमांक/", "पृ. क्रमांक", "पृ.क्र./"])
        lines += [f"{e_cue}{e}{_gap(rng)}{dist[0]}, दिनांक {_hi_date(d, rng)}",
                  "प्रतिलिपि:-", f"    1. आयुक्त, {dist[0]} संभाग की ओर सूचनार्थ।",
                  f"    2. तहसीलदार, {dist[0]} की ओर पालनार्थ।",
                  f"{SIGN}{desig}"]
        truth["endorsement_no"] = e
    return Sample("endorsement_copy" if endorse else "collector_letter", lines, truth)


def do_letter(rng: random.Random) -> Sample:
    d, n = _date(rng), _num(rng)
    name = rng.choice(HI_NAMES)
    if rng.random() < 0.5:
        no = f"{n}/सचिव/{d.year}"
        desig = rng.choice(["सचिव", "संयुक्त सचिव", "कलेक्टर", "आयुक्त"])
        subject = rng.choice(HI_SUBJECTS)
        cue = rng.choice(["अ.शा. पत्र क्रमांक", "अर्द्धशासकीय पत्र क्रमांक", "अ.शा.क्र."])
        lines = [f"{name}", f"{desig}", "छत्तीसगढ़ शासन",
                 *_number_lines(rng, cue, no, "रायपुर", _hi_date(d, rng), "दिनांक"),
                 f"विषय:- {subject}", "प्रिय श्री वर्मा जी,", *BODY_HI,
                 f"{SIGN}आपका,", f"{SIGN}({name})", f"{SIGN}{desig}",
                 "श्री आर. के. वर्मा,", "कलेक्टर, जिला दुर्ग"]
        lang = "hi"
    else:
        name = rng.choice(EN_NAMES)
        no = f"{n}/Secy/{d.year}"
        desig = rng.choice(EN_DESIG)
        subject = rng.choice(EN_SUBJECTS)
        lines = [name, desig, "Government of Chhattisgarh",
                 *_number_lines(rng, rng.choice(["D.O. No.", "D.O.No."]), no, "Raipur",
                                _en_date(d, rng), rng.choice(["Dated", "dated", "Dated:"])),
                 f"Subject: {subject}", "Dear Shri Verma,", *BODY_EN,
                 f"{SIGN}Yours sincerely,", f"{SIGN}({name})", f"{SIGN}{desig}",
                 "Shri R. K. Verma,", "Collector, Durg"]
        lang = "en"
    return Sample("do_letter", lines, _truth(
        letter_no=no, letter_date=d.isoformat(), subject=subject, designation=desig,
        language=lang, letter_type="do_letter", sender_name=name))


def office_memorandum(rng: random.Random) -> Sample:
    d, n = _date(rng), rng.randint(1, 40)
    if rng.random() < 0.6:
        no = f"{n}/{rng.randint(1, 20)}/{d.year}-{rng.choice(['OL', 'Estt.(A-III)', 'Pers'])}"
        if rng.random() < 0.3:
            no = f"{rng.randint(10000, 19999)}/{rng.randint(1, 20):02d}/{d.year}-Estt.(A-III)"
        desig = rng.choice(EN_DESIG[1:5])
        subject = rng.choice(EN_SUBJECTS)
        stamp, prio, tb = _en_stamp(rng)
        name = rng.choice(EN_NAMES)
        lines = [*stamp, f"{rng.choice(['No.', 'F. No.', 'F.No.'])} {no}", "Government of India",
                 "Ministry of Home Affairs", "Department of Official Language",
                 f"{' ' * 40}New Delhi, the {_en_date(d, rng)}", "OFFICE MEMORANDUM",
                 f"Subject: {subject}", *BODY_EN, f"{SIGN}({name})",
                 f"{SIGN}{desig} to the Government of India", "To,",
                 "    All Ministries and Departments of the Government of India."]
        designation, lang = f"{desig} to the Government of India", "en"
    else:
        no = f"{n}/{rng.randint(1, 20)}/{d.year}-राजभाषा"
        desig = rng.choice(["अवर सचिव", "उप सचिव", "निदेशक"])
        subject = rng.choice(HI_SUBJECTS)
        stamp, prio, tb = _hi_stamp(rng)
        name = rng.choice(HI_NAMES)
        lines = [*stamp, f"संख्या: {no}", "भारत सरकार", "गृह मंत्रालय", "राजभाषा विभाग",
                 f"{' ' * 40}नई दिल्ली, दिनांक: {_hi_date(d, rng)}", "कार्यालय ज्ञाप",
                 f"विषय: {subject}", *BODY_HI, f"{SIGN}({name})", f"{SIGN}{desig}, भारत सरकार",
                 "सेवा में,", "    भारत सरकार के सभी मंत्रालय/विभाग"]
        designation, lang = desig, "hi"
    return Sample("office_memorandum", lines, _truth(
        letter_no=no, letter_date=d.isoformat(), subject=subject, designation=designation,
        language=lang, letter_type="office_memorandum", priority=prio, time_bound=tb,
        sender_name=name))


def order(rng: random.Random) -> Sample:
    d, n = _date(rng), _num(rng)
    dist = rng.choice(DISTRICTS)
    no = f"{n}/स्था./{d.year}"
    name = rng.choice(HI_NAMES)
    bilingual = rng.random() < 0.5
    head = [f"कार्यालय कलेक्टर, जिला {dist[0]}"]
    body = ["श्री रमेश कुमार, सहायक ग्रेड-3 को आगामी आदेश तक तहसील कार्यालय में",
            "पदस्थ किया जाता है। यह आदेश तत्काल प्रभाव से लागू होगा।"]
    if bilingual:  # orders printed in both languages, one under the other
        head.append(f"Office of the Collector, District {dist[1]}")
        body += ["Shri Ramesh Kumar, Assistant Grade-3, is posted in the Tahsil office",
                 "until further orders. This order shall come into force with immediate",
                 "effect and the officer shall join his new post without delay."]
    lines = [*head, "      आदेश / ORDER" if bilingual else "      आदेश",
             *_number_lines(rng, rng.choice(["क्रमांक", "क्रमांक/", "आदेश क्रमांक"]), no, dist[0],
                            _hi_date(d, rng), "दिनांक"),
             *body, f"{SIGN}({name})", f"{SIGN}कलेक्टर, जिला {dist[0]}"]
    return Sample("order", lines, _truth(
        letter_no=no, letter_date=d.isoformat(), subject=None, designation="कलेक्टर",
        language="bilingual" if bilingual else "hi", letter_type="order", sender_name=name))


def circular(rng: random.Random) -> Sample:
    d, n = _date(rng), _num(rng)
    if rng.random() < 0.6:
        no, subject, desig = f"{n}/परि./{d.year}", rng.choice(HI_SUBJECTS), "संचालक"
        name = rng.choice(HI_NAMES)
        lines = ["कार्यालय संचालक, लोक शिक्षण, छत्तीसगढ़", "परिपत्र",
                 *_number_lines(rng, "क्रमांक", no.translate(DEVA), "रायपुर",
                                _hi_date(d, rng, True), "दिनांक"),
                 "प्रति,", "    समस्त जिला शिक्षा अधिकारी,", "    छत्तीसगढ़",
                 f"विषय:- {subject}", *BODY_HI, f"{SIGN}({name})", f"{SIGN}संचालक"]
        lang = "hi"
    else:
        no, subject, desig = f"{n}/Circ/{d.year}", rng.choice(EN_SUBJECTS), "Director"
        name = rng.choice(EN_NAMES)
        lines = ["Directorate of Public Instruction, Chhattisgarh", "CIRCULAR",
                 *_number_lines(rng, "No.", no, "Raipur", _en_date(d, rng), "Dated"),
                 "To,", "    All District Education Officers,", "    Chhattisgarh",
                 f"Subject: {subject}", *BODY_EN, f"{SIGN}({name})", f"{SIGN}Director"]
        lang = "en"
    return Sample("circular", lines, _truth(
        letter_no=no, letter_date=d.isoformat(), subject=subject, designation=desig,
        language=lang, letter_type="circular", sender_name=name))


def rti_application(rng: random.Random) -> Sample:
    d = _date(rng)
    name = rng.choice(HI_NAMES)
    if rng.random() < 0.7:
        subject = "सूचना का अधिकार अधिनियम 2005 के अंतर्गत जानकारी प्रदाय करने बाबत।"
        lines = ["प्रति,", "    लोक सूचना अधिकारी,",
                 f"    कार्यालय कलेक्टर, {rng.choice(DISTRICTS)[0]}",
                 f"विषय:- {subject}", "महोदय,", "कृपया ग्राम पंचायत में हुए निर्माण कार्यों की",
                 "प्रमाणित प्रतिलिपि प्रदान करें। आवेदन शुल्क 10 रुपये संलग्न है।",
                 f"दिनांक {_hi_date(d, rng)}", f"{SIGN}({name})", f"{SIGN}आवेदक"]
        desig, lang = "आवेदक", "hi"
    else:
        name = rng.choice(EN_NAMES)
        subject = "Application under the Right to Information Act, 2005."
        lines = ["To,", "    The Public Information Officer,",
                 f"    Office of the Collector, {rng.choice(DISTRICTS)[1]}",
                 f"Subject: {subject}", "Sir,", "Kindly provide certified copies of the",
                 "works sanctioned in the gram panchayat. The fee of Rs. 10 is enclosed.",
                 f"Date: {_en_date(d, rng)}", f"{SIGN}({name})", f"{SIGN}Applicant"]
        desig, lang = "Applicant", "en"
    return Sample("rti_application", lines, _truth(
        letter_no=None, letter_date=d.isoformat(), subject=subject, designation=desig,
        language=lang, letter_type="rti_application", sender_name=name))


def court_notice(rng: random.Random) -> Sample:
    d, n = _date(rng), _num(rng)
    wp = f"{rng.randint(100, 9999)}/{d.year}"
    no = f"{n}/Writ/{d.year}"
    name = rng.choice(EN_NAMES)
    subject = f"Notice in W.P.(C) No. {wp} for filing of return."
    by_order = rng.random() < 0.4
    head = ["IN THE HIGH COURT OF CHHATTISGARH AT BILASPUR"]
    if by_order:  # the case heading above the notice, signed 'By order'
        head += [f"W.P.(C) No. {wp}", "Ramesh Kumar          ...Petitioner", "Versus",
                 "State of Chhattisgarh and others     ...Respondents"]
        name = None
    lines = [*head, "NOTICE",
             *_number_lines(rng, "No.", no, "Bilaspur", _en_date(d, rng), "Dated"),
             "To,", "    The Collector,", f"    District {rng.choice(DISTRICTS)[1]}",
             f"Subject: {subject}", "You are directed to file the return within four weeks",
             "from the date of receipt of this notice.",
             f"{SIGN}({'By order' if by_order else name})", f"{SIGN}Registrar"]
    return Sample("court_notice", lines, _truth(
        letter_no=no, letter_date=d.isoformat(), subject=subject, designation="Registrar",
        language="en", letter_type="court_notice", sender_name=name, case_numbers=[wp]))


def complaint(rng: random.Random) -> Sample:
    d = _date(rng)
    name = rng.choice(HI_NAMES)
    subject = rng.choice(["ग्राम में हैंडपंप खराब होने की शिकायत बाबत।",
                          "राशन दुकान से खाद्यान्न नहीं मिलने की शिकायत।"])
    lines = ["सेवा में,", "    श्रीमान कलेक्टर महोदय,", f"    जिला {rng.choice(DISTRICTS)[0]}",
             f"विषय:- {subject}", "महोदय,", "निवेदन है कि हमारे ग्राम की समस्या दो माह से",
             "बनी हुई है। कृपया शीघ्र सुधार कराने का कष्ट करें।",
             f"दिनांक: {_hi_date(d, rng)}", f"{SIGN}({name})", f"{SIGN}प्रार्थी"]
    return Sample("complaint", lines, _truth(
        letter_no=None, letter_date=d.isoformat(), subject=subject, designation="प्रार्थी",
        language="hi", letter_type="complaint", sender_name=name))


def state_letter(rng: random.Random) -> Sample:
    """Madhya Pradesh Mantralaya style: F-number with the place and date on the same line."""
    d = _date(rng)
    no = f"एफ {rng.randint(1, 19)}-{rng.randint(1, 40)}/{d.year}/1/{rng.randint(1, 9)}"
    name = rng.choice(HI_NAMES)
    desig = rng.choice(["अवर सचिव", "उप सचिव", "अपर सचिव"])
    subject = rng.choice(HI_SUBJECTS)
    if rng.random() < 0.5:
        lines = ["मध्यप्रदेश शासन", "सामान्य प्रशासन विभाग", "मंत्रालय",
                 f"पत्र क्रमांक {no} भोपाल, दिनांक {_hi_date(d, rng)}"]
    else:
        lines = ["मध्यप्रदेश शासन", "सामान्य प्रशासन विभाग", "मंत्रालय, वल्लभ भवन, भोपाल",
                 f"क्रमांक {no}{_gap(rng)}भोपाल, दिनांक {_hi_date(d, rng)}"]
    stamp, prio, tb = _hi_stamp(rng)
    lines = [*stamp, *lines, "प्रति,", "    समस्त कलेक्टर,", "    मध्यप्रदेश",
             f"विषय:- {subject}", *_reference_hi(rng, d), *BODY_HI,
             f"{SIGN}मध्यप्रदेश के राज्यपाल के नाम से", f"{SIGN}तथा आदेशानुसार,",
             f"{SIGN}({name})", f"{SIGN}{desig}", f"{SIGN}मध्यप्रदेश शासन, सामान्य प्रशासन विभाग"]
    return Sample("state_letter", lines, _truth(
        letter_no=no, letter_date=d.isoformat(), subject=subject, designation=desig,
        language="hi", letter_type="letter", priority=prio, time_bound=tb, sender_name=name))


def english_collector(rng: random.Random) -> Sample:
    d, n = _date(rng), _num(rng)
    dist = rng.choice(DISTRICTS)
    no = f"{n}/{rng.choice(EN_SECTIONS)}/{d.year}"
    name = rng.choice(EN_NAMES)
    desig = rng.choice(EN_DESIG[:1] + EN_DESIG[5:])
    subject = rng.choice(EN_SUBJECTS)
    stamp, prio, tb = _en_stamp(rng)
    security = rng.random() < 0.1
    lines = [*(["CONFIDENTIAL"] if security else []), *stamp, "Government of Chhattisgarh",
             f"Office of the {desig}, District {dist[1]}", _phone_en(rng),
             *_number_lines(rng, rng.choice(["No.", "Letter No.", "No"]), no, dist[1],
                            _en_date(d, rng), rng.choice(["Dated", "dated", "Date:"])),
             "To,", "    The Sub Divisional Officer (Revenue),", f"    {dist[1]}",
             f"{rng.choice(['Subject:', 'Sub:', 'Subject :-'])} {subject}",
             *_reference_en(rng, d), "Sir,", *BODY_EN, f"{SIGN}Yours faithfully,",
             f"{SIGN}({rng.choice(HONORIFIC_EN)}{name})", f"{SIGN}{desig}, {dist[1]}"]
    return Sample("english_collector", lines, _truth(
        letter_no=no, letter_date=d.isoformat(), subject=subject, designation=desig,
        language="en", letter_type="letter", priority=prio, time_bound=tb, sender_name=name,
        security="confidential" if security else "normal"))


def vip_reference(rng: random.Random) -> Sample:
    """An MLA's letter to the Collector: the sender's designation makes it a VIP reference."""
    d, n = _date(rng), rng.randint(10, 999)
    name = rng.choice(HI_NAMES)
    dist = rng.choice(DISTRICTS)[0]
    no = f"{n}/विधायक/{d.year}"
    subject = rng.choice(["ग्राम पंचायत में सड़क निर्माण की स्वीकृति बाबत।",
                          "किसानों को फसल बीमा राशि का भुगतान कराने बाबत।"])
    head = [f"{name}", f"विधायक, विधानसभा क्षेत्र {dist}"]
    if rng.random() < 0.5:  # a letterhead with the constituency's number and a mobile number
        head = [f"{name}", "विधायक", f"विधानसभा क्षेत्र क्रमांक {rng.randint(1, 90)}, {dist}",
                f"मो. 94{rng.randint(10000000, 99999999)}"]
    lines = [*head,
             *_number_lines(rng, rng.choice(["क्रमांक", "पत्र क्र."]), no, dist, _hi_date(d, rng),
                            "दिनांक"),
             "प्रति,", "    कलेक्टर,", f"    जिला {dist}", f"विषय:- {subject}", "महोदय,",
             *BODY_HI, f"{SIGN}({name})", f"{SIGN}विधायक, {dist}"]
    return Sample("vip_reference", lines, _truth(
        letter_no=no, letter_date=d.isoformat(), subject=subject, designation="विधायक",
        language="hi", letter_type="vip_reference", sender_name=name))


def bihar_letter(rng: random.Random) -> Sample:
    """Bihar style: पत्रांक, प्रेषक and सेवा में blocks, प्रसंग for the reference, महाशय."""
    d, n = _date(rng), _num(rng)
    name = rng.choice(HI_NAMES)
    desig = rng.choice(["जिला पदाधिकारी", "अपर समाहर्ता", "अनुमंडल पदाधिकारी"])
    no = f"{n}/{rng.choice(['स्था.', 'राज.', 'वि.'])}"
    subject = rng.choice(HI_SUBJECTS)
    ref = d - timedelta(days=rng.randint(5, 40))
    lines = ["बिहार सरकार", f"कार्यालय {desig}, पटना",
             *_number_lines(rng, rng.choice(["पत्रांक", "ज्ञापांक"]), no, "पटना", _hi_date(d, rng),
                            "दिनांक"),
             "प्रेषक,", f"    {desig},", "    पटना।", "सेवा में,", "    प्रधान सचिव,",
             "    राजस्व एवं भूमि सुधार विभाग, बिहार, पटना।", f"विषय:- {subject}",
             f"प्रसंग:- विभागीय पत्रांक {_num(rng)} दिनांक {ref.day:02d}.{ref.month:02d}.{ref.year}",
             "महाशय,", *BODY_HI, f"{SIGN}विश्वासभाजन,", f"{SIGN}({name})", f"{SIGN}{desig}, पटना"]
    return Sample("bihar_letter", lines, _truth(
        letter_no=no, letter_date=d.isoformat(), subject=subject, designation=desig,
        language="hi", letter_type="letter", sender_name=name))


def notification(rng: random.Random) -> Sample:
    """A State notification: the date on its own line, the number heading the paragraph."""
    d = _date(rng)
    section = rng.choice(["सात", "सात-1", "दो"])
    no = f"एफ {rng.randint(1, 30)}-{rng.randint(1, 60)}/{d.year}/{section}"
    name = rng.choice(HI_NAMES)
    desig = rng.choice(["अवर सचिव", "उप सचिव"])
    dept = rng.choice(["राजस्व विभाग", "सामान्य प्रशासन विभाग", "पंचायत एवं ग्रामीण विकास विभाग"])
    sep = rng.choice([" :: ", " - ", " "])
    lines = ["मध्यप्रदेश शासन", dept, "मंत्रालय, वल्लभ भवन, भोपाल", "      अधिसूचना",
             f"{' ' * 36}भोपाल, दिनांक {_hi_date(d, rng)}",
             f"क्र. {no}{sep}राज्य शासन, एतद्द्वारा, भू-राजस्व संहिता की धारा 13 के अधीन",
             "तहसील के पुनर्गठन की अधिसूचना जारी करता है।",
             f"{SIGN}मध्यप्रदेश के राज्यपाल के नाम से", f"{SIGN}तथा आदेशानुसार,",
             f"{SIGN}({name})", f"{SIGN}{desig}"]
    return Sample("notification", lines, _truth(
        letter_no=no, letter_date=d.isoformat(), subject=None, designation=desig,
        language="hi", letter_type="notification", sender_name=name))


def up_letter(rng: random.Random) -> Sample:
    """Uttar Pradesh style: संख्या above प्रेषक/सेवा में, the date on the section's line."""
    d, n = _date(rng), _num(rng)
    no = f"{n}/{rng.choice(['बीस', 'एक', 'नौ'])}-{rng.randint(1, 5)}-{d.year}"
    name = rng.choice(HI_NAMES)
    desig = rng.choice(["प्रमुख सचिव", "विशेष सचिव", "संयुक्त सचिव"])
    subject = rng.choice(HI_SUBJECTS)
    lines = [f"संख्या- {no}", "प्रेषक,", f"    {desig},", "    उत्तर प्रदेश शासन।", "सेवा में,",
             "    समस्त जिलाधिकारी,", "    उत्तर प्रदेश।",
             f"{rng.choice(['राजस्व', 'नियुक्ति', 'ग्राम्य विकास'])} अनुभाग-{rng.randint(1, 5)}"
             f"{_gap(rng)}लखनऊ: दिनांक {_hi_date(d, rng)}",
             f"विषय: {subject}", "महोदय,", *BODY_HI, f"{SIGN}भवदीय,", f"{SIGN}({name})",
             f"{SIGN}{desig}"]
    return Sample("up_letter", lines, _truth(
        letter_no=no, letter_date=d.isoformat(), subject=subject, designation=desig,
        language="hi", letter_type="letter", sender_name=name))


def assembly_question(rng: random.Random) -> Sample:
    """A department's letter calling for an assembly question's reply by a date."""
    d, n = _date(rng), _num(rng)
    no = f"{n}/वि.स./{d.year}"
    name = rng.choice(HI_NAMES)
    desig = rng.choice(["उप सचिव", "अवर सचिव", "संयुक्त सचिव"])
    q = rng.randint(100, 2999)
    kind = rng.choice(["तारांकित प्रश्न", "अतारांकित प्रश्न", "विधानसभा प्रश्न"])
    subject = f"विधानसभा {kind} क्रमांक {q} की जानकारी बाबत।".replace("विधानसभा विधानसभा", "विधानसभा")
    stamp, prio, tb = _hi_stamp(rng)
    due = d + timedelta(days=5)
    lines = [*stamp, "छत्तीसगढ़ शासन", "पंचायत एवं ग्रामीण विकास विभाग",
             "मंत्रालय, महानदी भवन, नवा रायपुर अटल नगर",
             *_number_lines(rng, "क्रमांक", no, "नवा रायपुर", _hi_date(d, rng), "दिनांक"),
             "प्रति,", "    कलेक्टर,", f"    जिला {rng.choice(DISTRICTS)[0]}", f"विषय:- {subject}",
             f"उपरोक्त विषयांतर्गत जानकारी दिनांक {due.day:02d}.{due.month:02d}.{due.year} तक",
             "अनिवार्यतः इस विभाग को भेजें।", f"{SIGN}({name})", f"{SIGN}{desig}"]
    return Sample("assembly_question", lines, _truth(
        letter_no=no, letter_date=d.isoformat(), subject=subject, designation=desig,
        language="hi", letter_type="assembly_question", priority=prio, time_bound=tb,
        sender_name=name))


def police_letter(rng: random.Random) -> Sample:
    """A police office's letter: section codes before the serial, the date line above the
    number or on it, sometimes गोपनीय."""
    d, n = _date(rng), _num(rng)
    dist = rng.choice(DISTRICTS)[0]
    no = f"पुअ/{rng.choice(['गोप', 'स्था', 'शिका'])}/{d.year}/{n}"
    name = rng.choice(HI_NAMES)
    secret = rng.random() < 0.4
    subject = rng.choice(["कानून व्यवस्था की स्थिति बाबत।", "थाना भवन निर्माण हेतु भूमि आवंटन बाबत।"])
    if rng.random() < 0.5:
        number = [f"{' ' * 40}दिनांक {_hi_date(d, rng)}", f"क्रमांक/{no}"]
    else:
        number = [f"क्रमांक/{no}{_gap(rng)}{dist}, दिनांक {_hi_date(d, rng)}"]
    lines = [*(["गोपनीय"] if secret else []), f"कार्यालय पुलिस अधीक्षक, जिला {dist}", *number,
             "प्रति,", "    कलेक्टर,", f"    जिला {dist}", f"विषय:- {subject}", *BODY_HI,
             f"{SIGN}({name})", f"{SIGN}पुलिस अधीक्षक,", f"{SIGN}जिला {dist}"]
    return Sample("police_letter", lines, _truth(
        letter_no=no, letter_date=d.isoformat(), subject=subject, designation="पुलिस अधीक्षक",
        language="hi", letter_type="letter", sender_name=name,
        security="confidential" if secret else "normal"))


TEMPLATES = [collector_letter, lambda r: collector_letter(r, endorse=True), do_letter,
             office_memorandum, order, circular, rti_application, court_notice, complaint,
             state_letter, english_collector, vip_reference, bihar_letter, notification,
             up_letter, assembly_question, police_letter]


def corpus(n: int = 119, seed: int = 7) -> list[Sample]:
    rng = random.Random(seed)
    return [TEMPLATES[i % len(TEMPLATES)](rng) for i in range(n)]


def render(sample: Sample, level: str, seed: int = 0):  # noqa: ANN201
    """The letter as a scanned page: clean, mild (slight skew, noise, JPEG) or heavy."""
    rng = random.Random(seed)
    deva, latin = FONTS[seed % len(FONTS)]
    size = rng.choice([38, 40, 42])
    if seed % 3 == 2:  # a full A4 page with wide margins, as a desk scanner gives it
        img = render_page(sample.lines, deva_font=deva, latin_font=latin)
    else:  # short pages: OCR time goes with the area
        height = 300 + int(2.15 * size) * len(sample.lines)
        img = render_page(sample.lines, size=size, margin=150, leading=2.0, deva_font=deva,
                          latin_font=latin, page=(PAGE_WIDTH, height))
    if level == "mild":
        img = noisy(rotate(img, rng.uniform(-2.0, 2.0)), sigma=8, blur=0.6, seed=seed)
    elif level == "heavy":
        img = speckle(noisy(grey_uneven(rotate(img, rng.uniform(-6.0, 6.0))), sigma=16,
                            blur=1.0, seed=seed), count=900 * PAGE_WIDTH // 2480, seed=seed)
    return img


FIELDS = ["letter_no", "letter_date", "subject", "designation", "language", "letter_type",
          "priority"]
EXTRA = ["time_bound", "security", "sender_name", "endorsement_no"]


def ocr(args: tuple[Sample, str, int]):  # noqa: ANN201
    """Render, save as JPEG and run the real page pipeline: the page's OCR text."""
    import tempfile
    from pathlib import Path

    from dakscan.ingest.pages import open_document
    from dakscan.ocr.recognise import PageOptions, recognise_page

    sample, level, seed = args
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scan.jpg"
        render(sample, level, seed).save(path, "JPEG", quality=70, dpi=(300, 300))
        return recognise_page(open_document(path, 10, 80_000_000).pages[0], PageOptions()).text


def fields_of(page) -> dict:  # noqa: ANN001
    """The flat dak fields the extractor reads from one OCR'd page."""
    from datetime import UTC, datetime

    from dakscan.classify.metadata import dak_fields, extract
    from dakscan.classify.profile import load_profile

    received = datetime(RECEIVED.year, RECEIVED.month, RECEIVED.day, 12, tzinfo=UTC)
    return dak_fields(extract([page], received, load_profile()))


def _norm(v: object) -> str:
    import re

    from dakscan.ocr.normalise import for_matching

    return re.sub(r"\s+", "", for_matching(str(v))) if v is not None else ""


def judge(name: str, truth: object, got: object) -> str:
    """'correct', 'wrong' or 'empty' (nothing read where something was printed)."""
    from letters import cer

    if name not in ("time_bound",) and got in (None, "", [], "normal") and truth == "normal":
        return "correct"
    if got in (None, "", []):
        return "correct" if truth in (None, "") else "empty"
    if truth in (None, ""):
        return "wrong"
    if name == "subject":
        return "correct" if cer(_norm(truth), _norm(got)) <= 0.03 else "wrong"
    return "correct" if _norm(truth) == _norm(got) else "wrong"


def flat(result: dict) -> dict:
    sender = result.get("sender") or {}
    return {**result, "designation": sender.get("designation"), "sender_name": sender.get("name")}


def score(samples: list[Sample], results: list[dict],
          names: list[str] = FIELDS) -> dict[str, dict[str, int]]:
    """Per field: correct / wrong / empty / n (letters whose truth says anything)."""
    table = {f: {"correct": 0, "wrong": 0, "empty": 0, "n": 0} for f in names}
    for s, r in zip(samples, results, strict=True):
        got = flat(r)
        for f in names:
            if f in s.truth and not (f == "language" and s.truth[f] is None):
                table[f][judge(f, s.truth.get(f), got.get(f))] += 1
                table[f]["n"] += 1
    return table


def mistakes(samples: list[Sample], results: list[dict], names: list[str] = FIELDS) -> list[str]:
    """One line per wrong or empty field: what was printed and what was read."""
    out = []
    for i, (s, r) in enumerate(zip(samples, results, strict=True)):
        got = flat(r)
        for f in names:
            if f in s.truth and not (f == "language" and s.truth[f] is None):
                verdict = judge(f, s.truth.get(f), got.get(f))
                if verdict != "correct":
                    out.append(f"#{i} {s.template} {f} {verdict}: {s.truth.get(f)!r} "
                               f"-> {got.get(f)!r}")
    return out


def ocr_all(samples: list[Sample], level: str, processes: int = 2) -> list:
    from multiprocessing import get_context

    with get_context("forkserver").Pool(processes) as pool:
        return pool.map(ocr, [(s, level, i) for i, s in enumerate(samples)])


def read_all(samples: list[Sample], level: str, processes: int = 2) -> list[dict]:
    return [fields_of(p) for p in ocr_all(samples, level, processes)]
