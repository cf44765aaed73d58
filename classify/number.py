"""The letter number and the endorsement number: a cue (क्रमांक, No., F.No. …), then the value
up to the date cue or the place before the date. Of several numbers in the head, the one on a
dated line wins, then one whose cue opens its chunk.

Not the letter number: a number in a reference (संदर्भ/प्रसंग/Ref), the inward stamp (आवक), the
endorsement (पृ.क्रमांक, its own field), a telephone or fax number in the letterhead, a writ
petition heading (W.P. No.), a serial left blank for the pen (स्था./2025).
"""

from __future__ import annotations

import re

from dakscan.classify.dates import find_dates
from dakscan.classify.layout import Chunk, VLine
from dakscan.classify.profile import tokens
from dakscan.classify.reading import HAS_DIGIT, LEAD, QUOTES, TRAIL, Field, Letter

SLASH_SPACES = re.compile(r"\s*([/])\s*")
ZERO_IN_WORD = re.compile(r"(?<![0-9])0(?=[A-Za-z])|(?<=[A-Za-z])0(?![0-9])")
O_IN_NUMBER = re.compile(r"(?<=[0-9])[Oo](?=[0-9])")
# OCR noise inside number parts: स्स्था / स््था for स्था, a stray virama at a part's end (विकास्/)
DOUBLED_HALF = re.compile(r"([\u0915-\u0939])\u094d\1\u094d|(?<=\u094d)\u094d+")
END_VIRAMA = re.compile(r"(?<=[\u0915-\u0939])\u094d(?=[/\-.\s]|$)")
_NAME = r"[\u0900-\u097FA-Za-z]"
PLACE_BEFORE_DATE = re.compile(rf"({_NAME}[\u0900-\u097FA-Za-z.]*(?:\s{_NAME}+)?)"
                               r"\s*,\s*(?:the\b)?\s*$")
PHONE = re.compile(r"^\+?\(?0?\d{2,5}\)?[- ]?\d{5,8}$|^\d{10}$")
TRAIL_DOT = re.compile(r"(?<=\d)[.,:;]+$")  # '2024.' — a number never ends in a dot after a digit
PLACE_WORD = re.compile(r"^[\u0900-\u097FA-Za-z]{3,}[.,]?$")  # no digit, no dot: a word, not a code
NOT_THE_LETTER = ("reference", "inward", "endorsement_no", "phone")
CODED = re.compile(r"(?<![\w/-])\d[\d-]{0,8}/[^\s/]+(?:\s?/[^\s/]+)*")  # 1234/स्था./2025, 45/2025
YEAR_ONLY = re.compile(r"(19|20)\d\d")
SHAPE_CONFIDENCE = 0.55  # below the review line: the clerk confirms a number found this way
READ_WELL = 0.6  # a number word OCR read with less confidence ('NHAT' for 'NHAI') is flagged


def clean_number(raw: str) -> str:
    """Separators trimmed, no spaces around '/', and O/0 confusions inside words undone."""
    value = TRAIL.sub("", LEAD.sub("", QUOTES.sub(" ", raw)))
    value = SLASH_SPACES.sub(r"\1", value)
    value = O_IN_NUMBER.sub("0", ZERO_IN_WORD.sub("O", value))
    value = DOUBLED_HALF.sub(lambda m: f"{m.group(1)}\u094d" if m.group(1) else "", value)
    value = END_VIRAMA.sub("", value)
    value = re.sub(r"\.{2,}", ".", value)  # 'स्था..': a speck read as a second dot
    return re.sub(r"\s+", " ", value).strip()


def tidy_number(raw: str) -> str:
    """A number as written in a reference or case line: cleaned, specks and end dot dropped."""
    return _drop_trailing_place(clean_number(raw))


def _drop_trailing_place(value: str) -> str:
    """'एफ 3-12/2025/1/3 भोपाल' → 'एफ 3-12/2025/1/3': words after the last coded part, and
    specks OCR read after it ('892/राजस्व/2025 द', '7282/Estt./2024 ._')."""
    parts = value.split(" ")
    while len(parts) > 1 and any(HAS_DIGIT.search(p) for p in parts[:-1]) and (
            PLACE_WORD.match(parts[-1]) or _speck(parts[-1])):
        parts.pop()
    return TRAIL_DOT.sub("", " ".join(parts))


SEPARATOR = re.compile(r"\s*(?:::|:-|\s:\s).*$")
PLAIN_WORD = re.compile(r"^[\u0900-\u097FA-Za-z]+,?$")


def _cut_prose(value: str) -> str:
    """'एफ 1-2/2025/सात-1 :: राज्य शासन, एतद्द्वारा …': a number printed at the head of a
    paragraph (notifications) ends at a separator or where two plain words follow it."""
    value = SEPARATOR.sub("", value)
    parts = value.split(" ")
    seen_digit = False
    for i, part in enumerate(parts):
        if seen_digit and i + 1 < len(parts) and PLAIN_WORD.match(part) and \
                PLAIN_WORD.match(parts[i + 1]):
            return " ".join(parts[:i]).strip(" ,:;-–")
        seen_digit = seen_digit or bool(HAS_DIGIT.search(part))
    return value


def _speck(part: str) -> bool:
    letters = [c for c in part if c.isalnum()]
    return not letters or (len(part) == 1 and not part.isdigit())


def number_after(letter: Letter, chunk: Chunk, cue_end: int) -> tuple[str, int, int, str | None]:
    """(number, start, end, place) from the text after a number cue, up to the date."""
    rest = chunk.text[cue_end:]
    stop = len(rest)
    date_cue = letter.profile.match(rest, "cues", "date")
    if date_cue is not None:
        stop = date_cue.start
    for d in find_dates(rest):  # a bare date after the number ends it (not one inside it)
        gap_before = rest[d.start - 1:d.start] == " " and not HAS_DIGIT.search(
            rest[max(0, d.start - 3):d.start])
        if d.start < stop and gap_before and HAS_DIGIT.search(rest[:d.start]):
            stop = d.start
    segment = rest[:stop]
    place = None
    m = PLACE_BEFORE_DATE.search(segment)
    if m and stop < len(rest):  # "भोपाल, दिनांक …": the place stands before the date
        place = m.group(1).strip()
        segment = segment[: m.start()]
    value = clean_number(segment)
    trimmed = _drop_trailing_place(value)
    if trimmed != value and place is None and stop < len(rest):
        place = value[len(trimmed):].strip()
    value = _cut_prose(trimmed)
    start = cue_end + (len(segment) - len(segment.lstrip(" :;./-")))
    return value, start, start + len(value), place


def plausible_number(value: str) -> bool:
    """A letter number has a digit in its first two parts and is no telephone number; a year
    alone ('स्था./2025': the serial left blank for a pen or a stamp) is not a number yet."""
    if not value or len(value) > 80 or PHONE.match(value.replace(" ", "")):
        return False
    if YEAR_ONLY.fullmatch(" ".join(re.findall(r"\d+", value))):
        return False
    parts = value.split(" ")
    if HAS_DIGIT.search(parts[0]):
        return True
    return len(parts) > 1 and len(parts[0]) <= 4 and bool(HAS_DIGIT.search(parts[1]))


def _after_other_word(letter: Letter, text: str, cue_start: int) -> bool:
    """'पृ. क्रमांक' split by OCR, or 'Phone No.': the word before the cue makes it another
    number."""
    before = [t for t in tokens(text[:cue_start]) if t.is_word]
    if not before:
        return False
    last = before[-1].text
    return any(letter.profile.match(last, "cues", name, at_start=True)
               for name in ("endorsement_mark", "phone"))


def letter_number(letter: Letter) -> Field | None:
    """The number cue in the head whose value looks like a letter number; when several do, the
    one printed with a date on its line, then one whose cue opens its chunk ('पत्र क्र. 212'
    beats 'विधानसभा क्षेत्र क्रमांक 45'), then the first."""
    found: list[tuple[tuple[int, int, int], Field, dict]] = []
    for order, ln in enumerate(letter.top_band()):
        if letter.is_kind(ln, *NOT_THE_LETTER):
            continue
        for chunk in ln.chunks:
            cue = letter.profile.match(chunk.text, "cues", "letter_no")
            if cue is None or _after_other_word(letter, chunk.text, cue.start) or \
                    _in_case_cue(letter, chunk.text, cue.start):
                continue
            value, start, end, place = number_after(letter, chunk, cue.end)
            if not plausible_number(value):
                continue
            value = repair_roman(value)
            words = chunk.words_in(start, end) or chunk.words_in(cue.start, end)
            read = min(w.conf for w in words) / 100.0 if words else ln.conf
            dated = any(find_dates(c.text[end:] if c is chunk else c.text) for c in ln.chunks)
            rank = (0 if dated else 1, 0 if _opens(letter, chunk.text, cue.start) else 1, order)
            notes = {"number_line": ln, "number_span": (chunk, start, end),
                     "number_cue": cue.cue, "place": place}
            conf = (read + ln.conf) / 2 if read >= READ_WELL else read  # the clerk checks it
            found.append((rank, Field(value, min(0.97, conf), ln.evidence(words or None)),
                          notes))
            break
    if not found:
        return None
    _, best, notes = min(found, key=lambda f: f[0])
    place = notes.pop("place")
    letter.notes.update(notes)
    if place:
        letter.notes["place"] = place
    return best


def _opens(letter: Letter, text: str, cue_start: int) -> bool:
    """The cue opens its chunk, or only a kind word stands before it ('अर्द्धशासकीय पत्र क्र.')."""
    before = text[:cue_start].strip(" :;,.-/")
    if not any(t.is_word for t in tokens(before)):
        return True
    return any(letter.profile.match(before, "letter_type", name, at_start=True)
               for name in letter.profile.names("letter_type"))


def _in_case_cue(letter: Letter, text: str, cue_start: int) -> bool:
    """'W.P. No. 12345/2025': the case number of a court paper, not the letter's number."""
    hit = letter.profile.match(text, "case", "cues")
    return hit is not None and hit.start <= cue_start < hit.end


ROMAN_END = re.compile(r"(?<=[-(.])(I{1,3})[Tl1|!\]D](?=\))")


def repair_roman(value: str) -> str:
    """'Estt.(A-IIT)' → 'Estt.(A-III)': OCR reads the last I of a section's roman numeral before
    its bracket as T, l or D (IID, IIT are no numerals)."""
    return ROMAN_END.sub(lambda m: m.group(1) + "I", value)


def number_by_shape(letter: Letter) -> Field | None:
    """No cue read (OCR broke 'क्रमांक' into '्रं./'): a head line with a coded number
    (1234/स्था./2025) and a date is the number line. Filled, but flagged as uncertain."""
    for ln in letter.top_band():
        if letter.is_kind(ln, *NOT_THE_LETTER, "subject", "addressee"):
            continue
        chunk = ln.chunks[0]
        m = CODED.search(chunk.text)
        if m is None or not any(find_dates(c.text) for c in ln.chunks):
            continue
        if letter.profile.match(chunk.text[: m.start()], "cues", "reference"):
            continue
        value, start, end, place = number_after(letter, chunk, m.start())
        if not plausible_number(value) or any(d.start < end for d in find_dates(value)):
            continue
        letter.notes.update(number_line=ln, number_span=(chunk, start, end), number_cue="")
        if place:
            letter.notes["place"] = place
        return Field(repair_roman(value), SHAPE_CONFIDENCE,
                     ln.evidence(chunk.words_in(start, end) or None))
    return None


def endorsement(letter: Letter) -> tuple[Field | None, Field | None]:
    """(पृ.क्रमांक number, its date): the copy's own number, kept apart from the letter's."""
    for ln in letter.lines:
        for chunk in ln.chunks:
            cue = letter.profile.match(chunk.text, "cues", "endorsement_no")
            if cue is None:
                continue
            value, _, end, _ = number_after(letter, chunk, cue.end)
            if not plausible_number(value):
                continue
            dates = find_dates(chunk.text[end:]) or _dates_right_of(ln, chunk)
            when = Field(dates[0].value.isoformat(), min(0.9, ln.conf), ln.evidence()) \
                if dates else None
            return Field(value, min(0.9, ln.conf), ln.evidence(chunk.words)), when
    return None, None


def _dates_right_of(ln: VLine, chunk: Chunk) -> list:
    later = ln.chunks[ln.chunks.index(chunk) + 1:]
    return [d for c in later for d in find_dates(c.text)]
