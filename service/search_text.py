"""The normalised form text is searched in: spelling variants of one Hindi word meet.

`search_form` (stored in `dak.search_text` by the pipeline) folds: NFC, no joiners, nukta
dropped, chandrabindu → anusvara, a nasal consonant + virama before a consonant → anusvara
(सितम्बर = सितंबर), Devanagari digits → ASCII, Latin lower-case.

`term_key` goes further for the search index, on one word: long and short i/u meet
(OCR and writers mix them), candra-o meets aa (डॉक्टर = डाक्टर), and inflectional endings
made only of vowel signs are stripped (मिश्रा = मिश्र, पंचायतों = पंचायत, कार्यालयों = कार्यालय).
Endings with a consonant (-ने, -ता, -कर) are kept: stripping them would cut real letters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from dakscan.ocr.normalise import DEVA_DIGITS, INVISIBLE

NUKTA = "\u093c"
_NASAL_VIRAMA = re.compile("[\u0919\u091e\u0923\u0928\u092e]\u094d(?=[\u0915-\u0939])")
# A word: letters, digits and Devanagari signs; danda (।॥) and the abbreviation sign ॰ split.
WORD = re.compile(r"(?:[^\W_]|[\u0900-\u0963\u0966-\u096f\u0971-\u097f])+")
KEY_FOLD = str.maketrans({"\u0940": "\u093f", "\u0942": "\u0941", "\u0949": "\u093e",
                          "\u0911": "\u0906", "\u0908": "\u0907", "\u090a": "\u0909"})
# Vowel-sign-only endings of Hindi nouns, adjectives and verbs (after KEY_FOLD), longest first.
ENDINGS = sorted({
    "ाएंगि", "ाएंगे", "ाऊंगि", "ाऊंगा", "ाइयां", "ाइयों",
    "ाएगि", "ाएगा", "ाओगि", "ाओगे", "ेंगि", "ेंगे", "ुंगि", "ुंगा", "ातिं", "ियां", "ियों",
    "ाइए", "ाइं", "ाया", "ेगि", "ेगा", "ोगि", "ोगे", "ाने", "ाना", "ाते", "ाति", "ाता",
    "ाओं", "ाएं", "ुओं", "ुएं", "ुआं",
    "ाओ", "िए", "ाइ", "ाए", "िं", "ां", "ों", "ें",
    "ो", "े", "ु", "ि", "ा",
}, key=len, reverse=True)
MIN_STEM = 2  # code points left after stripping an ending
MAX_TERM = 64
STOPWORDS = frozenset({
    "का", "के", "कि", "को", "में", "मे", "से", "है", "हैं", "और", "या", "पर", "तथा", "एवं",
    "the", "of", "and", "to", "in", "a", "an", "for", "on", "is", "by", "with",
})


def search_form(text: str) -> str:
    text = unicodedata.normalize("NFD", text).translate(INVISIBLE)
    text = text.replace(NUKTA, "").replace("\u0901", "\u0902")
    text = unicodedata.normalize("NFC", text)
    text = _NASAL_VIRAMA.sub("\u0902", text)
    return text.translate(DEVA_DIGITS).lower()


def words(text: str) -> Iterator[re.Match[str]]:
    """The words of a text (any script) with their spans."""
    return WORD.finditer(text)


def _is_deva(word: str) -> bool:
    return any("\u0900" <= ch <= "\u097f" for ch in word)


def term_key(word: str) -> str:
    """The index key of one word: spelling and inflection folded; '' for a stopword."""
    w = search_form(word)
    if w in STOPWORDS:
        return ""
    if _is_deva(w):
        w = w.translate(KEY_FOLD)
        for ending in ENDINGS:
            if w.endswith(ending) and len(w) - len(ending) >= MIN_STEM:
                w = w[: -len(ending)]
                break
    elif w.isascii() and w.isalpha() and len(w) > 3 and w.endswith("s") \
            and not w.endswith(("ss", "us", "is")):
        w = w[:-1]  # letters = letter, reports = report
    return w[:MAX_TERM]


def keys(text: str) -> Iterator[str]:
    """Index keys of every word of a text, stopwords left out."""
    for m in words(text):
        k = term_key(m.group())
        if k:
            yield k


def is_prefix_key(key: str) -> bool:
    """Keys long enough to search as prefixes (प्रशासन* finds प्रशासनिक); numbers always match
    whole (567 must not find 5678)."""
    return len(key) >= 3 and not key.isdigit()
