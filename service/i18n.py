"""Message catalogues for the pages: Hindi first, English on request.

Every word a person reads on a page comes from `locales/<lang>.json`; templates only name
keys. The language is chosen by `?lang=` (which also sets a cookie) or the cookie, and is
Hindi when neither says otherwise.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from fastapi import Request

LOCALES = Path(__file__).parent / "locales"
LANGS = ("hi", "en")
DEFAULT = "hi"
COOKIE = "dakscan_lang"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@lru_cache(maxsize=len(LANGS))
def catalogue(lang: str) -> dict[str, str]:
    """The flat key → text mapping of one language."""
    with open(LOCALES / f"{lang}.json", encoding="utf-8") as fh:
        return json.load(fh)


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


class Translator:
    """`t("key", n=3)`: the text of a key in this language with its {placeholders} filled.

    A key missing from this language falls back to the other catalogue, then to the key
    itself, so a page never breaks; the catalogue test keeps both complete.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else DEFAULT
        self.messages = catalogue(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        text = self.messages.get(key)
        if text is None:
            text = next((catalogue(o)[key] for o in LANGS if key in catalogue(o)), key)
        if values:
            text = _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)
        return text

    def has(self, key: str) -> bool:
        return key in self.messages

    @property
    def other(self) -> str:
        return "en" if self.lang == "hi" else "hi"


def language_of(request: Request) -> str:
    """`?lang=` first (a person just pressed the switch), then the cookie, then Hindi."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    kept = request.cookies.get(COOKIE)
    return kept if kept in LANGS else DEFAULT


def translator(request: Request) -> Translator:
    return Translator(language_of(request))
