"""The one Unicode policy: equal-looking Hindi text compares equal, values read as ASCII."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dakscan.ocr.normalise import ascii_digits, clean_text, for_matching, language_of

DEVANAGARI = st.text(alphabet=st.characters(min_codepoint=0x0900, max_codepoint=0x097F)
                     | st.sampled_from(" \u200c\u200d-–—:०१२३४५६७८९0123456789./"), max_size=60)


def test_joiners_and_nfc_make_equal_words_equal():
    # क्ष with a ZWJ (half form) and the nukta letter written decomposed vs precomposed
    assert clean_text("क्\u200dष") == clean_text("क्ष")
    assert clean_text("ज\u093cिला") == clean_text("\u095bिला")
    assert clean_text("प्र\u200cशासन") == "प्रशासन"


def test_devanagari_digits_become_ascii_for_values():
    assert ascii_digits("दिनांक १५.०७.२०२५") == "दिनांक 15.07.2025"
    assert ascii_digits("क्र./८९०/जि.पं./२०२५") == "क्र./890/जि.पं./2025"


def test_zero_after_a_letter_is_an_abbreviation_dot():
    assert ascii_digits("स्था०") == "स्था."
    assert ascii_digits("म०प्र०") == "म.प्र."
    assert ascii_digits("दि0 12/05/2025") == "दि. 12/05/2025"
    assert ascii_digits("क्रमांक 10/2025") == "क्रमांक 10/2025"  # a real zero stays


def test_visarga_written_for_a_colon_and_dashes_fold():
    assert for_matching("विषयः- बैठक") == "विषय:- बैठक"
    assert for_matching("विषयः — बैठक") == "विषय: - बैठक"
    assert for_matching("अतः आप") == "अतः आप"  # a real visarga ending a word stays


def test_language_call():
    assert language_of("कार्यालय कलेक्टर जिला धमतरी") == "hi"
    assert language_of("Office of the Collector, Dhamtari") == "en"
    assert language_of("कार्यालय कलेक्टर जिला धमतरी Office of the Collector") == "bilingual"


@given(DEVANAGARI)
def test_clean_text_is_idempotent_and_nfc(s):
    once = clean_text(s)
    assert clean_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\u200c" not in once and "\u200d" not in once


@given(DEVANAGARI)
def test_matching_form_has_no_devanagari_digits(s):
    out = for_matching(s)
    assert not any("०" <= c <= "९" for c in out)
    assert for_matching(out) == out


@pytest.mark.parametrize("text, broken", [
    ("कार्यालय कलेक्टर जिला धमतरी, विषय: ग्राम पंचायतों में पेयजल व्यवस्था", False),
    ("हिंदी सितंबर मिश्रा शिक्षा निर्देश", False),
    # a Word/Mangal export read in the glyphs' visual order: the i-matra comes first
    ("कायार्लय कलेक्टर िजला धमतरी, िवषय: ग्राम पंचायतों में िनदेर्श", True),
    ("Government of India, Office of the Collector, Dated 03.09.2025", False),
])
def test_visually_ordered_devanagari_text_layers_are_not_trusted(text, broken):
    from dakscan.ingest.textlayer import visual_order

    assert visual_order(text) is broken
