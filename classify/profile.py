"""Cue profiles (data, per office/state) and tolerant cue matching.

Devanagari cue words match on their consonant skeleton, whole tokens: OCR on degraded scans
adds or drops matras and anusvara (तंत्काल, क्रेमांक), which the skeleton ignores. A cue of one
short word (three consonants or fewer, no dot) keeps its vowel signs and only forgives
anusvara, chandrabindu, nukta, visarga and virama (संमय = समय), so the name प्रिया is not the
salutation प्रिय; a long one (seven consonants or more) may lose or gain one. Latin cues
match case-insensitively, fuzzily for words of four letters or more (MOST AMMEDIATE). A dot in
a cue (क्र., No.) must be there in the text too, so an abbreviation never matches a plain word.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

PROFILES = Path(__file__).parent / "profiles"
# A Latin word may carry a digit OCR read for a look-alike letter ('F.N0.', 'D.O0.'); a digit
# followed by more digits starts a number instead ('No5678').
_TOKEN = re.compile(r"[\u0900-\u0963\u0970-\u097F]+|[A-Za-z]+(?:[0125](?![0-9])[A-Za-z]*)*"
                    r"|[0-9]+|\S")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    key: str  # skeleton (Devanagari), upper case (Latin), digits, or the punctuation mark
    strict: str = ""  # Devanagari without the marks OCR adds at random (anusvara, nukta…)

    @property
    def is_word(self) -> bool:
        return self.key[:1].isalpha()


def skeleton(word: str) -> str:
    """Consonants and independent vowels only: matras, anusvara, virama, nukta dropped."""
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))


NOISE_MARKS = dict.fromkeys(map(ord, "\u0900\u0901\u0902\u0903\u093c\u094d"), None)
SHORT_CUE = 3
LONG_CUE = 7


def strict_form(word: str) -> str:
    """The word with vowel signs kept and only anusvara, chandrabindu, nukta, virama dropped."""
    return unicodedata.normalize("NFD", word).translate(NOISE_MARKS)


def tokens(text: str) -> list[Token]:
    """Words, numbers and single marks with their spans; '.' kept, other marks kept too."""
    out = []
    for m in _TOKEN.finditer(text):
        t = m.group()
        strict = ""
        if "\u0900" <= t[0] <= "\u097f":
            key, strict = skeleton(t), strict_form(t)
        elif t[0].isascii() and t[0].isalpha():
            key = latin_key(t)
        else:
            key = t
        if key:
            out.append(Token(t, m.start(), m.end(), key, strict))
    return out


def latin_key(word: str) -> str:
    """Upper case, look-alike digits read as letters; a digit echoing the letter before it
    ('O0': OCR gave both readings of one glyph) dropped."""
    out = ""
    for c in word.upper():
        if c.isdigit():
            c = c.translate(_LOOKALIKE)
            if out.endswith(c):
                continue
        out += c
    return out


def _significant(toks: list[Token]) -> list[Token]:
    return [t for t in toks if t.is_word or t.key.isdigit() or t.key == "."]


_LOOKALIKE = str.maketrans("0125", "OIZS")  # OCR reads 'D.O.' as 'D.0.'


def _same(cue: Token, tok: Token) -> bool:
    if cue.key == "." or tok.key == ".":
        return cue.key == tok.key
    if cue.key.isascii() and cue.key.isalpha() and tok.key.isdigit() and len(tok.key) <= 2:
        return cue.key == tok.key.translate(_LOOKALIKE)
    if cue.key.isascii() and cue.key.isalpha() and len(cue.key) >= 4:
        return tok.key.isascii() and fuzz.ratio(cue.key, tok.key) >= 85
    if cue.strict and len(cue.key) >= LONG_CUE:  # 'अर्दशासकीय': a long word lost a letter
        return bool(tok.strict) and fuzz.ratio(cue.key, tok.key) >= 85
    return cue.key == tok.key



MARK_AFTER = re.compile(r"\s*\.?\s*[:\-\u2013\u0903]")
# A bilingual head prints a cue in both languages joined by a slash ('सं./No.', 'दिनांक/Dated');
# OCR may read a stray backslash or bar beside the slash ('सं./\N0.').
PAIRED = re.compile(r"\s*[:\-]?\s*/[\s\\|]*")


@dataclass(frozen=True)
class Cue:
    text: str
    toks: tuple[Token, ...]
    mark: bool = False  # written with a trailing ':' in the profile: a ':' or '-' must follow

    @property
    def short(self) -> bool:
        """One short Devanagari word without a dot (प्रिय, विषय): vowel signs must match too."""
        return len(self.toks) == 1 and bool(self.toks[0].strict) and \
            len(self.toks[0].key) <= SHORT_CUE

    def find(self, toks: list[Token], text: str = "") -> tuple[int, int] | None:
        """(first, last+1) indexes into the *significant* token list, or None."""
        sig = _significant(toks)
        for i in range(len(sig)):
            end = self._match_at(sig, i)
            if end is None:
                continue
            if self.mark and not MARK_AFTER.match(text, sig[end - 1].end):
                continue
            return i, end
        return None

    def _match_at(self, sig: list[Token], i: int) -> int | None:
        """End index of the cue matched from sig[i]; a stray '.' OCR put between two of the
        cue's words ('अति.आवश्यक') is passed over."""
        j = i
        for k, c in enumerate(self.toks):
            if k and c.key != "." and j < len(sig) and sig[j].key == "." and \
                    self.toks[k - 1].key != ".":
                j += 1
            if j >= len(sig) or not _same(c, sig[j]):
                return None
            if self.short and c.strict != sig[j].strict:
                return None
            j += 1
        return j


def make_cue(text: str) -> Cue:
    """'Sub:' in a profile means 'Sub' followed by a colon or dash (not 'Sub Divisional')."""
    mark = text.rstrip().endswith(":")
    return Cue(text, tuple(_significant(tokens(text.rstrip().rstrip(":")))), mark)


@dataclass
class CueMatch:
    cue: str
    start: int  # char offsets in the matched line
    end: int


class Profile:
    """A cue profile: named lists of cues, longest first so 'पत्र क्रमांक' beats 'क्रमांक'."""

    def __init__(self, data: dict, name: str = "default") -> None:
        self.data = data
        self.name = name
        self._cues: dict[str, list[Cue]] = {}

    def cues(self, section: str, name: str | None = None) -> list[Cue]:
        key = f"{section}.{name}" if name else section
        if key not in self._cues:
            raw = self.data.get(section, {})
            words = raw.get(name, []) if name else raw
            cues = [make_cue(w) for w in words]
            self._cues[key] = sorted((c for c in cues if c.toks), key=lambda c: -len(c.toks))
        return self._cues[key]

    def names(self, section: str) -> list[str]:
        return list(self.data.get(section, {}))

    def match(self, text: str, section: str, name: str | None = None,
              at_start: bool = False) -> CueMatch | None:
        """The first (longest at a place) cue of a list in `text`; `at_start`: first word."""
        toks = tokens(text)
        sig = _significant(toks)
        first_word = next((i for i, t in enumerate(sig) if t.key != "."), 0)  # '.आदेश' is OCR dust
        best: tuple[int, int, Cue] | None = None
        for cue in self.cues(section, name):
            hit = cue.find(toks, text)
            if hit is None or (at_start and hit[0] not in (0, first_word)):
                continue
            if best is None or hit[0] < best[0] or (hit[0] == best[0] and hit[1] > best[1]):
                best = (hit[0], hit[1], cue)
        if best is None:
            return None
        first, last, cue = best
        end = sig[last - 1].end
        pair = PAIRED.match(text, end)
        if pair and "/" in pair.group():  # 'सं./No.', 'विषय/Subject:', 'सेवा में / To': one cue
            other = self.match(text[pair.end():], section, name, at_start=True)
            if other is not None and other.start == 0:
                end = pair.end() + other.end
        return CueMatch(cue.text, sig[first].start, end)


@lru_cache(maxsize=8)
def load_profile(name: str = "default") -> Profile:
    """The named profile layered over the default one (an office lists only its changes)."""
    base = tomllib.loads((PROFILES / "default.toml").read_text(encoding="utf-8"))
    if name and name != "default":
        path = PROFILES / f"{name}.toml"
        if not path.exists():
            path = Path(name)
        extra = tomllib.loads(path.read_text(encoding="utf-8"))
        for section, values in extra.items():
            merged = base.setdefault(section, {})
            for key, words in values.items():
                merged[key] = list(dict.fromkeys([*words, *merged.get(key, [])]))
    return Profile(base, name or "default")
