"""Who wrote and to whom: the sender (bracketed name in the sign-off, designation under it,
office from the letterhead, place) and the addressee block (प्रति, सेवा में, To — for an Office
Memorandum the To block after the signature); an endorsed copy when our office is named only
under प्रतिलिपि / Copy to.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dakscan.classify.dates import find_dates
from dakscan.classify.layout import Chunk, VLine
from dakscan.classify.profile import skeleton, tokens
from dakscan.classify.reading import LEAD, STRUCTURE, Field, Letter, canonical, tidy, words_in

BRACKETED = re.compile(r"[\(\[{]\s*([^()\[\]{}\d]{3,60}?)\s*[\)\]}]?[.,]?")
PLACE_PREFIX = re.compile(r"^\s*(जिला|जिला-|District|Distt\.?)\s*", re.IGNORECASE)
MIN_LETTERS = 3
ADDRESS_WORDS = 10  # an address line is short; a longer one is the body
SENTENCE = re.compile(r"[।.]\s*$")
INITIALS_END = re.compile(r"\.\S{1,3}\.$")  # 'सी.एस.', 'G.R.': initials end in their dot
PLACE_SPLIT = re.compile(r"[,;]|\s(?=जिला\s)|\s(?=District\s)|\s(?=Distt\.?\s)")


def addressee(letter: Letter) -> Field | None:
    """The first address block outside the copy list, lines joined with ', '."""
    found = block_after(letter, "addressee")
    if found is None:
        return None
    text, ln = found
    return Field(text, min(0.9, ln.conf), ln.evidence())


def block_after(letter: Letter, cue_name: str, skip_copy: bool = True
                ) -> tuple[str, VLine] | None:
    """Lines of an address block (प्रति / To) until subject, salutation or a gap."""
    in_copy = False
    for i, ln in enumerate(letter.lines):
        if letter.starts(ln, "cues", "copy_to") or letter.starts(ln, "cues", "endorsement_no"):
            in_copy = True
        cue = letter.starts(ln, "cues", cue_name)
        if cue is None or (skip_copy and in_copy):
            continue
        rest = LEAD.sub("", ln.chunks[0].text[cue.end:]).strip(" ,")
        parts = [rest] if rest and any(c.isalpha() for c in rest) else []  # not '0,' ('To,')
        prev, indent = ln, None
        for nxt in letter.lines[i + 1: i + 6]:
            if nxt.page != ln.page or nxt.box[1] - prev.box[3] > 1.6 * ln.height:
                break
            if letter.is_kind(nxt, *STRUCTURE, "letter_no") or find_dates(nxt.text):
                break
            if words_in(nxt.text) > ADDRESS_WORDS or (
                    indent is not None and nxt.box[0] < indent - ln.height):
                break  # a body line: too long, or back at the margin after an indented block
            if indent is None and nxt.box[0] > ln.box[0] + ln.height:
                indent = nxt.box[0]
            parts.append(nxt.text.strip(" ,"))
            prev = nxt
        if parts:
            return ", ".join(p for p in parts if p), ln
    return None


def signature(letter: Letter) -> dict[str, Field]:
    """name / designation / place of the sign-off before any copy list or endorsement."""
    lines = _before_copy(letter)
    number_line = letter.notes.get("number_line")
    if number_line in lines:  # brackets in the letterhead, e.g. '(छ.ग.)', are not a name
        lines = lines[lines.index(number_line) + 1:]
    margin = letter.left_edge
    found = _bracketed_name(lines, margin) or _after_closing(letter, lines, margin)
    out: dict[str, Field] = {}
    if found is not None:
        name_at, below = found
        if name_at is not None and letter.profile.match(
                LEAD.sub("", tidy(name_at[1].text).lstrip("([{")), "sender", "not_names",
                at_start=True):
            # '(By order)', '(आदेशानुसार)': the sign-off formula, the designation follows; after
            # 'Sd/-' a name OCR could not read as one may stand first: then the known
            # designation under it (the name is left for the clerk)
            under = _under(lines, below[0], below[1], margin) if below is not None else None
            if under is not None and not _known_designation(letter, below[1]) \
                    and _known_designation(letter, under[1]):
                below = under
        elif name_at is not None and not letter.profile.match(
                name_at[1].text, "sender", "designations", at_start=True):
            name = _strip_honorific(letter, name_at[1])
            if name:
                ln = lines[name_at[0]]
                out["name"] = Field(name, min(0.9, ln.conf), ln.evidence(name_at[1].words))
        elif name_at is not None:
            below = name_at
        if below is not None and letter.profile.match(
                LEAD.sub("", tidy(below[1].text)), "sender", "not_designations", at_start=True):
            below = None  # 'पुत्र श्री …', 'S/o …', 'ग्राम …': the signer's parentage or address
        if below is not None:
            ln, chunk = lines[below[0]], below[1]
            designation, place = _designation(letter, chunk.text)
            if designation:
                out["designation"] = Field(designation, min(0.9, _conf(chunk)),
                                           ln.evidence(chunk.words))
            if place:
                out["place"] = Field(place, 0.6)
        if "name" in out and "designation" not in out:
            head = _letterhead_designation(letter, str(out["name"].value))
            if head is not None:
                out["designation"] = head
        return out
    head = {id(ln) for ln in letter.top_band()}  # the address block there is not the sender
    for ln in reversed([ln for ln in lines if id(ln) not in head][-12:]):
        # no sign-off found: a known designation near the end
        for chunk in ln.chunks:
            if letter.profile.match(chunk.text, "sender", "designations", at_start=True):
                designation, place = _designation(letter, chunk.text)
                out["designation"] = Field(designation, min(0.7, ln.conf),
                                           ln.evidence(chunk.words))
                if place:
                    out["place"] = Field(place, 0.5)
                return out
    return out


At = tuple[int, Chunk]  # a chunk and the index of its printed line


def _letterhead_designation(letter: Letter, name: str) -> Field | None:
    """A D.O. letter signed with the name alone: its letterhead prints the name and, on the
    next line, a known designation ('Rajesh Aggarwal, IAS' / 'Secretary')."""
    band = letter.top_band()
    key = [t.key for t in tokens(name) if t.is_word]
    for ln, nxt in zip(band, band[1:], strict=False):
        words = [t.key for t in tokens(ln.chunks[0].text) if t.is_word]
        if not key or words[:len(key)] != key:
            continue
        chunk = nxt.chunks[0]
        if letter.profile.match(chunk.text, "sender", "designations", at_start=True) is None:
            return None
        designation, _ = _designation(letter, chunk.text)
        return Field(designation, min(0.8, _conf(chunk)), nxt.evidence(chunk.words)) \
            if designation else None
    return None


def _designation(letter: Letter, text: str) -> tuple[str, str | None]:
    """The designation in the profile's spelling when it is a known one, and the place."""
    designation, place = split_designation(
        tidy(text), lambda rest: letter.profile.match(
            rest, "sender", "designations", at_start=True) is not None,
        lambda head: _ends_joined(letter, head))
    known = canonical(letter.profile, designation, "sender", "designations")
    if known is None and len(skeleton(designation.replace(" ", ""))) < MIN_LETTERS:
        return "", place  # 'था', 'णा': OCR's remains of a word, not a designation
    return known or designation, place


def _conf(chunk: Chunk) -> float:
    return sum(w.conf for w in chunk.words) / len(chunk.words) / 100.0


def _known_designation(letter: Letter, chunk: Chunk) -> bool:
    return letter.profile.match(tidy(chunk.text), "sender", "designations",
                                at_start=True) is not None


def _bracketed_name(lines: list[VLine], margin: int | None = None
                    ) -> tuple[At | None, At | None] | None:
    """The last chunk that is a bracketed name, and the chunk printed under it."""
    for i in range(len(lines) - 1, -1, -1):
        for chunk in reversed(lines[i].chunks):
            text = tidy(chunk.text)
            m = BRACKETED.fullmatch(text)
            if m is None or not (text.startswith("(") or text.endswith(")")):
                continue
            if not 1 <= words_in(m.group(1)) <= 6:
                continue
            return (i, chunk), _under(lines, i, chunk, margin)
    return None


def _after_closing(letter: Letter, lines: list[VLine], margin: int | None = None
                   ) -> tuple[At | None, At | None] | None:
    """Yours faithfully / भवदीय, then a name line and a designation line (no brackets)."""
    for i in range(len(lines) - 1, -1, -1):
        chunk = next((c for c in lines[i].chunks if letter.starts(c, "cues", "closing")), None)
        if chunk is None:
            continue
        first = _under(lines, i, chunk, margin)
        if first is None:
            return None
        return first, _under(lines, first[0], first[1], margin)
    return None


def _under(lines: list[VLine], i: int, chunk: Chunk, margin: int | None = None) -> At | None:
    """The chunk on the next printed line that starts under `chunk` (same column). Under a
    sign-off indented from the left margin, a line back at the margin begins another block
    (the addressee of a D.O. letter or an Office Memorandum), not the signer's designation."""
    x0, x1 = chunk.words[0].box[0], chunk.words[-1].box[2]
    height = lines[i].height
    indented = margin is not None and x0 > margin + 3 * height
    for j in range(i + 1, min(i + 3, len(lines))):
        nxt = lines[j]
        if nxt.page != lines[i].page or nxt.box[1] - lines[i].box[3] > 3 * height:
            return None
        for c in nxt.chunks:
            cx0, cx1 = c.words[0].box[0], c.words[-1].box[2]
            if indented and margin is not None and cx0 < margin + height:
                continue
            if cx0 < x1 and cx1 > x0 - 2 * height and any(ch.isalpha() for ch in c.text):
                return j, c
    return None


def _before_copy(letter: Letter) -> list[VLine]:
    out = []
    for ln in letter.lines:
        if letter.starts(ln, "cues", "copy_to") or letter.starts(ln, "cues", "endorsement_no"):
            break
        out.append(ln)
    return out


def _strip_honorific(letter: Letter, chunk: Chunk) -> str:
    text = tidy(chunk.text)
    m = BRACKETED.fullmatch(text)
    name = tidy(m.group(1) if m else text).strip(" ,")
    if not INITIALS_END.search(name):  # 'जयदेव सी.एस.' keeps the dot of its initials
        name = name.rstrip(" .")
    for _ in range(2):
        hit = letter.profile.match(name, "sender", "honorifics", at_start=True)
        if hit is None or _vowels(name[hit.start:hit.end]) != _vowels(hit.cue):
            break  # 'के. के. सिंह': initials, not the honorific 'कु.'
        name = LEAD.sub("", name[hit.end:]).strip()
    return name


def _vowels(text: str) -> list[str]:
    """Vowel signs of one-letter words (कु., डॉ.), which alone tell them from initials."""
    return [t.strict if len(t.key) == 1 and t.strict else t.key
            for t in tokens(text) if t.is_word]


def _ends_joined(letter: Letter, head: str) -> bool:
    """'कलेक्टर एवं', 'Collector &': the designation goes on after a joining word."""
    if head.rstrip().endswith(("&", "-")):
        return True
    words = [t for t in tokens(head) if t.is_word]
    return bool(words) and letter.profile.match(
        head[words[-1].start:], "sender", "joiners", at_start=True) is not None


def split_designation(text: str, is_designation: Callable[[str], bool] | None = None,
                      joined: Callable[[str], bool] | None = None) -> tuple[str, str | None]:
    """'कलेक्टर, जिला धमतरी' → ('कलेक्टर', 'धमतरी'); 'Collector District Durg' → ('Collector',
    'Durg'); the place is what follows the first comma or the word जिला/District — unless
    जिला/District begins a designation ('कलेक्टर एवं जिला दण्डाधिकारी') or goes on from a
    joining word ('कलेक्टर एवं जिला निर्वाचन अधिकारी')."""
    text = text.strip(" ,.")
    for m in PLACE_SPLIT.finditer(text):
        rest = text[m.end():].strip()
        if not m.group().strip() and is_designation is not None and is_designation(rest):
            continue
        head = text[:m.start()].strip(" ,")
        if not m.group().strip() and joined is not None and joined(head):
            continue
        if not head:
            return text, None
        place = PLACE_PREFIX.sub("", rest).strip(" ,.")
        return head, place.split(",")[0].strip() or None
    return text, None


def office(letter: Letter) -> Field | None:
    """The letterhead line naming an office (कार्यालय …, Ministry of …) in the first lines,
    before the address, subject or body begins; the government (… शासन, Government of …) when
    no line names the office."""
    number_line = letter.notes.get("number_line")
    seen_number = False
    general: Field | None = None
    for ln in letter.first_page[:7]:
        if letter.is_kind(ln, *STRUCTURE):
            break
        if ln is number_line:
            seen_number = True
            continue
        for chunk in ln.chunks:
            n = words_in(chunk.text)
            if n > 9 or (seen_number and (n > 5 or SENTENCE.search(chunk.text))):
                continue  # body text, not a letterhead
            found = Field(tidy(chunk.text), min(0.9, ln.conf), ln.evidence(chunk.words))
            if letter.profile.match(chunk.text, "sender", "office"):
                return found
            if general is None and letter.profile.match(chunk.text, "sender", "office_general"):
                general = found
    return general


def is_copy(letter: Letter, office_names: list[str], addressee_text: str,
            endorsed: bool) -> bool:
    """Our office only under प्रतिलिपि: the letter came as an endorsed copy."""
    if not office_names or not endorsed:
        return False
    if any(n in addressee_text for n in office_names):
        return False
    copy_block = block_after(letter, "copy_to", skip_copy=False)
    return bool(copy_block) and any(n in copy_block[0] for n in office_names)
