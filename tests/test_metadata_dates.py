"""Letter date rules: cues, formats, the number's own span, sanity against the received date,
low OCR confidence, and a right-hand date that Tesseract emitted after the body."""

from __future__ import annotations

from datetime import date

import pytest
from metadata_page import HEAD, RECEIVED, fields, line_words, meta

from dakscan.classify.dates import find_dates
from dakscan.classify.letter_date import plausible
from dakscan.classify.metadata import dak_fields, extract
from dakscan.classify.profile import load_profile
from dakscan.ocr.types import Line, PageText


@pytest.mark.parametrize("text, when", [
    ("दिनांक १५.०७.२०२५", date(2025, 7, 15)),
    ("15 जुलाई, 2025", date(2025, 7, 15)),
    ("15 अप्रेल 2025", date(2025, 4, 15)),
    ("15 अप्रैल 2025", date(2025, 4, 15)),
    ("Dated the 15th July, 2025", date(2025, 7, 15)),
    ("New Delhi, the 3rd July, 2025", date(2025, 7, 3)),
    ("July 15, 2025", date(2025, 7, 15)),
    ("15 Sept. 2025", date(2025, 9, 15)),
    ("5 सितम्बर 2024", date(2024, 9, 5)),
    ("5 सितंबर 2024", date(2024, 9, 5)),
    ("15-7-2025", date(2025, 7, 15)),
    ("15/07/25", date(2025, 7, 15)),
    ("Dated: 2025-07-15", date(2025, 7, 15)),
])
def test_date_formats(text, when):
    assert [d.value for d in find_dates(text)] == [when]


@pytest.mark.parametrize("text", ["3-12/2025/1/3", "1 9 दिसम्बर, 2024", "31.02.2025",
                                  "2025-13-01", "F.2025-07-15/3", "12025-07-15"])
def test_not_dates(text):
    assert find_dates(text) == []


@pytest.mark.parametrize("cue", ["दिनांक", "दिनांक:", "दि.", "दि0", "Dated", "dated", "Date:"])
def test_date_cues(cue):
    f = fields(HEAD, f"क्रमांक 12/2025      {cue} 15.07.2025", "विषय:- x")
    assert f["letter_date"] == "2025-07-15"


def test_number_span_is_not_read_as_a_date():
    f = fields(HEAD, "संख्या: 2/1/2025-राजभाषा", "नई दिल्ली, दिनांक: 15 जुलाई, 2025", "विषय:- x")
    assert f["letter_no"] == "2/1/2025-राजभाषा" and f["letter_date"] == "2025-07-15"
    f = fields(HEAD, "पत्र क्रमांक एफ 3-12/2025/1/3", "विषय:- x")
    assert f["letter_no"] == "एफ 3-12/2025/1/3" and f["letter_date"] is None


def test_date_printed_on_its_own_line_new_delhi_style():
    f = fields("Government of India", "Ministry of Home Affairs",
               "No. 2/14/2025-OL", "                New Delhi, the 3rd July, 2025",
               "OFFICE MEMORANDUM", "Subject: Use of Hindi in official work.")
    assert f["letter_no"] == "2/14/2025-OL"
    assert f["letter_date"] == "2025-07-03"


@pytest.mark.parametrize("line", ["क्रमांक 12/2025   दिनांक 15.09.2025",
                                  "क्रमांक 12/2022   दिनांक 15.07.2022",
                                  "क्रमांक 12/2025   दिनांक 21.08.2025"])
def test_future_or_too_old_dates_are_empty_and_flagged(line):
    m = meta(HEAD, line, "विषय:- x")
    assert dak_fields(m)["letter_date"] is None
    assert m["needs_review"] and any("letter date" in r for r in m["reasons"])


def test_plausible_window():
    assert plausible(date(2025, 8, 20), date(2025, 8, 20))
    assert plausible(date(2023, 8, 20), date(2025, 8, 20))
    assert not plausible(date(2023, 8, 19), date(2025, 8, 20))
    assert plausible(date(2022, 2, 28), date(2024, 2, 29))


def test_low_confidence_date_is_left_for_the_clerk():
    m = meta(HEAD, "क्रमांक 12/2025   दिनांक 15.07.2025", "विषय:- x", conf=55.0)
    assert dak_fields(m)["letter_date"] is None
    assert any("low confidence" in r for r in m["reasons"])


def test_right_hand_date_emitted_after_the_body_is_found_by_its_box():
    """Tesseract put the date block last; its boxes still sit on the number line."""
    number = line_words("क्रमांक 12/स्था./2025", 180)
    date_words = [w for w in line_words(" " * 40 + "धमतरी, दिनांक 15.07.2025", 180)]
    lines = [Line(words=line_words(HEAD, 100)), Line(words=number),
             Line(words=line_words("विषय:- बैठक बाबत।", 260)),
             Line(words=line_words("महोदय,", 340)),
             Line(words=line_words("कृपया बैठक में उपस्थित हों।", 420)), Line(words=date_words)]
    page = PageText(number=1, width=2480, height=3508, dpi=300, lines=lines)
    f = dak_fields(extract([page], RECEIVED, load_profile()))
    assert f["letter_no"] == "12/स्था./2025"
    assert f["letter_date"] == "2025-07-15"
    assert f["sender"]["place"] == "धमतरी"


def test_date_evidence_has_the_words_boxes():
    m = meta(HEAD, "क्रमांक 12/2025   दिनांक 15.07.2025", "विषय:- x")
    ev = m["fields"]["letter_date"]["evidence"]
    assert ev["page"] == 1 and "15.07.2025" in ev["line"]
    assert len(ev["boxes"]) == 1 and ev["boxes"][0][1] == 180


def test_a_hindi_month_that_lost_a_letter_still_reads():
    assert [d.value for d in find_dates("दिनांक: 25 अक्ूबर 2024")] == [date(2024, 10, 25)]
    assert find_dates("25 अकर 2024") == []


@pytest.mark.parametrize("date_line", ["दिनांक 14/08/2025", "दिनांक: 14.08.2025",
                                       "स्थान: बिलासपुर   दिनांक 14/08/2025", "Date: 14.08.2025"])
def test_an_application_dated_by_its_signature(date_line):
    f = fields("सेवा में,", "    श्रीमान कलेक्टर महोदय,", "    जिला बिलासपुर",
               "विषय:- राशि गबन करने की शिकायत।", "महोदय,",
               "निवेदन है कि दिनांक 02.08.2025 को सचिव द्वारा शासकीय राशि का दुरुपयोग किया गया।",
               date_line, "                (रामलाल साहू)", "                प्रार्थी")
    assert f["letter_date"] == "2025-08-14"


def test_a_date_inside_a_sentence_is_not_the_letters_date():
    f = fields("सेवा में,", "    कलेक्टर,", "विषय:- शिकायत।", "महोदय,",
               "निवेदन है कि दिनांक 02.08.2025 को सचिव द्वारा राशि का दुरुपयोग किया गया।",
               "                (रामलाल साहू)")
    assert f["letter_date"] is None


def test_a_date_glued_to_its_cue_with_a_colon_dash():
    f = fields(HEAD, "क्रमांक/स्था./2025/3456     महासमुंद, दिनांक:-12/08/25", "विषय:- x")
    assert f["letter_date"] == "2025-08-12" and f["letter_no"] == "स्था./2025/3456"
    assert find_dates("एफ 3-12/2025/1/3") == [] and find_dates("F-4-12/2025") == []


def test_received_after_midnight_in_india_is_that_days_date():
    """20 Aug 01:30 IST is 19 Aug 20:00 UTC: a letter dated 20 Aug is not "from the future"."""
    from datetime import UTC, datetime

    night = datetime(2025, 8, 19, 20, 0, tzinfo=UTC)
    f = fields(HEAD, "क्रमांक 12/2025      दिनांक 20.08.2025", "विषय:- x", received=night)
    assert f["letter_date"] == "2025-08-20"
