"""Every word on the desk pages comes from the catalogues, both catalogues are complete, and
a page in Hindi mode shows no English UI text (nor an English page Hindi UI text).

The walk renders every screen as the roles that see it, with the messages, errors and empty
states they can show, and reads what a person would read: text, and the titles, labels,
placeholders and script messages in attributes. Letter data (Hindi or English, as scanned)
is not UI text; raw words the pages mark as English (`lang="en"`) are skipped in Hindi mode.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_web_pages import PASSWORD, client, csrf_of, seeded, signed_in  # noqa: F401

from dakscan.service import auth, web, web_store
from dakscan.service.i18n import LANGS, Translator, catalogue, placeholders

SERVICE = Path(web.__file__).parent
TEMPLATES = sorted((SERVICE / "templates").glob("*.html"))
SOURCES = [SERVICE / n for n in ("web.py", "web_store.py", "web_actions.py", "web_jobs.py",
                                 "dashboard.py")]
DEVANAGARI = re.compile("[\u0900-\u097f]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
ALLOWED_LATIN = {"PDF", "TIFF", "JPEG", "PNG", "Enter", "Tab", "DAK"}
DYNAMIC = {"status": web_store.STATUSES, "role": auth.ROLES,
           "letter_type": web_store.LETTER_TYPES, "priority": web_store.PRIORITIES,
           "security": web_store.SECURITY, "language": web_store.LANGUAGES,
           "delivery": web_store.DELIVERY, "field": tuple(f[0] for f in web.FIELDS)}
MESSAGE_DATA = {"data-busy", "data-reading", "data-ok", "data-dup", "data-fail", "data-open",
                "data-offline", "data-empty"}  # words the page's script shows
READ_ATTRS = {"title", "alt", "placeholder", "aria-label", *MESSAGE_DATA}
PARTS = {"chart", "inbox-live"}  # fragments and pictures, not whole pages


# --- the catalogues themselves --------------------------------------------------------------

def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    hi, en = catalogue("hi"), catalogue("en")
    assert set(hi) == set(en)
    assert len(hi) > 150
    for key in hi:
        assert hi[key].strip() and en[key].strip(), key
        assert placeholders(hi[key]) == placeholders(en[key]), key
        if key not in ("lang.switch", "flash.error_text"):
            assert DEVANAGARI.search(hi[key]), f"{key}: Hindi text without Devanagari"
            assert not DEVANAGARI.search(en[key]), f"{key}: English text with Devanagari"


def test_every_key_used_exists_and_every_key_is_used() -> None:
    keys = set(catalogue("hi"))
    template_text = "\n".join(p.read_text(encoding="utf-8") for p in TEMPLATES)
    source_text = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
    used = set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_]+)["']""", template_text))
    prefixes = {k.split(".")[0] for k in keys}
    used |= {k for k in re.findall(r"""["']([a-z_]+\.[a-z_]+)["']""", source_text)
             if k.split(".")[0] in prefixes
             and k.rsplit(".", 1)[1] not in ("html", "svg", "png", "py", "css", "js")}
    assert used - keys == set(), "keys used but missing from the catalogues"
    for prefix, values in DYNAMIC.items():
        missing = {f"{prefix}.{v}" for v in values} - keys
        assert not missing, missing
    literal_anywhere = template_text + source_text
    for key in keys:
        prefix, suffix = key.split(".", 1)
        if key in used or suffix in DYNAMIC.get(prefix, ()):
            continue
        if prefix == "flash" and re.search(rf"done={suffix}\b|'{suffix}'|\"{suffix}\"|"
                                           rf"error_{{e\.key", literal_anywhere):
            continue
        if prefix == "field" or prefix == "flash":
            assert suffix in literal_anywhere, f"{key} is never used"
            continue
        pytest.fail(f"{key} is never used")


def test_templates_hold_no_words_of_their_own() -> None:
    for path in TEMPLATES:
        src = path.read_text(encoding="utf-8")
        for attr, value in re.findall(r'\b([a-z-]+)="([^"]*)"', src):
            if attr not in READ_ATTRS:
                continue
            assert not value or "{{" in value or not re.search(r"[^\W\d_]", value), \
                f"{path.name}: {attr}={value!r} is not from the catalogue"
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", src, flags=re.S)
        text = re.sub(r"<[^>]*>", " ", text)
        text = re.sub(r"&#?\w+;", " ", text)
        words = re.findall(r"[^\W\d_]+", text)
        assert not words, f"{path.name}: literal words {words[:10]}"


def test_translator_fills_placeholders_and_never_breaks_a_page() -> None:
    t = Translator("hi")
    assert t("register.results_for", n=3, q="पेयजल") == "“पेयजल” के लिए 3 डाक मिली"
    assert Translator("xx").lang == "hi"
    assert t("no.such_key") == "no.such_key"
    assert Translator("en")("flash.confirmed", diary="5/2025/DAK") == "Confirmed: diary no. " \
        "5/2025/DAK"
    assert set(LANGS) == {"hi", "en"}


# --- the walk -------------------------------------------------------------------------------

class Readable(HTMLParser):
    """What a person reads on a page; subtrees marked lang="<skip>" are left out."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self, skip_lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_lang = skip_lang
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        skip = a.get("lang") == self.skip_lang or tag in ("script", "style")
        if not (self.skipping or skip):
            self.parts += [v for k, v in a.items() if v and k in READ_ATTRS]
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)
        else:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.parts.append(data)


def readable(html: str, lang: str) -> str:
    parser = Readable(skip_lang="en" if lang == "hi" else "hi")
    parser.feed(html)
    return "\n".join(parser.parts)


DATA = ("blurred.png", "half.jpg", "1234/स्था./2025")


def pages(client: TestClient, seeded: dict, lang: str) -> list[tuple[str, str]]:  # noqa: F811
    """(name, html) of every screen and state the roles meet, in one language."""
    first, third = seeded["first"], seeded["third"]

    def fresh() -> None:
        client.cookies.clear()
        if lang != "hi":
            client.cookies.set("dakscan_lang", lang)

    fresh()
    out = [("login", client.get("/login").text),
           ("login-wrong", client.post("/login", data={"username": "x1",
                                                       "password": "wrong-one"}).text)]
    signed_in(client, "clerk")
    inbox = client.get("/inbox").text
    token = csrf_of(inbox)
    out += [("inbox", inbox), ("inbox-live", client.get("/inbox/live").text),
            ("inbox-desk", client.get("/inbox?desk=D2").text),
            ("review", client.get(f"/dak/{first}").text),
            ("review-confirmed", client.get(f"/dak/{third}").text),
            ("review-bad-date", client.post(f"/dak/{first}/save", data={
                "csrf": token, "letter_date": "99.99.2025", "action": "save"}).text),
            ("review-bad-field", client.post(f"/dak/{first}/save", data={
                "csrf": token, "priority": "whenever", "action": "save"}).text),
            ("review-locked", client.post(f"/dak/{third}/save", data={
                "csrf": token, "letter_date": "01.01.2024", "action": "save"}).text),
            ("review-no-section", client.post(f"/dak/{third}/mark", data={
                "csrf": token, "section": " "}).text),
            ("register", client.get("/register").text),
            ("register-hits", client.get("/register?q=पेयजल").text),
            ("register-none", client.get("/register?q=नलकूप&needs_review=1&desk=D1").text),
            ("register-stopwords", client.get("/register?q=का").text),
            ("forbidden", client.get("/dashboard").text),
            ("not-found", client.get("/dak/999").text),
            ("csrf", client.post(f"/dak/{first}/save", data={"subject": "x"}).text)]
    for done in ("saved", "confirmed", "marked", "retrying", "error_retry"):
        out.append((f"flash-{done}", client.get(
            f"/dak/{first}?done={done}&diary=1/2025/DAK&section=राजस्व").text))
    fresh()
    signed_in(client, "op")
    out.append(("inbox-operator", client.get("/inbox").text))
    fresh()
    signed_in(client, "boss")
    out += [("dashboard", client.get("/dashboard").text),
            ("dashboard-desk", client.get("/dashboard?desk=D1").text),
            ("chart", client.get("/dashboard/chart.svg").text)]
    fresh()
    signed_in(client, "commr")
    out.append(("dashboard-commissioner", client.get("/dashboard").text))
    fresh()
    return out


def english_fragments() -> list[tuple[str, str]]:
    """(key, fragment) of English UI text that differs from its Hindi."""
    hi, en = catalogue("hi"), catalogue("en")
    out = []
    for key, text in en.items():
        if text == hi[key]:
            continue
        for frag in re.split(r"\{\w+\}", text):
            frag = frag.strip(" .,:;·—–()“”←→")
            if LATIN_WORD.search(frag) and not set(LATIN_WORD.findall(frag)) <= ALLOWED_LATIN:
                out.append((key, frag))
    return out


def test_hindi_pages_show_no_english_ui_text(client: TestClient, seeded: dict) -> None:  # noqa: F811
    fragments = english_fragments()
    walked = pages(client, seeded, "hi")
    assert len(walked) >= 25
    for name, html in walked:
        assert '<html lang="hi">' in html or name in PARTS, name
        text = readable(html, "hi")
        for d in DATA:
            text = text.replace(d, " ")
        text = re.sub(r"\{\w+\}", " ", text)  # placeholders the page's script fills
        for key, frag in fragments:
            assert not re.search(rf"(?<![A-Za-z]){re.escape(frag)}(?![A-Za-z])", text), \
                f"{name}: English UI text of {key!r} in Hindi mode: {frag!r}"
        stray = set(LATIN_WORD.findall(text)) - ALLOWED_LATIN
        assert not stray, f"{name}: Latin words in Hindi mode: {sorted(stray)}"


def test_english_pages_show_no_hindi_ui_text(client: TestClient, seeded: dict) -> None:  # noqa: F811
    hi, en = catalogue("hi"), catalogue("en")
    phrases = [(k, f.strip(" .,:;·—–()“”←→।")) for k, v in hi.items() if v != en[k]
               for f in re.split(r"\{\w+\}", v) if len(f.split()) >= 2]
    for name, html in pages(client, seeded, "en"):
        if name not in PARTS:
            assert '<html lang="en">' in html, name
        text = readable(html, "en")
        for key, phrase in phrases:
            assert phrase not in text, f"{name}: Hindi UI text of {key!r} in English mode"
