"""Hindi + English search over the register: our own normalised term index, ranked, with
highlighted snippets. Works the same on SQLite and PostgreSQL (plain tables, B-tree ranges).

Why our own index: SQLite FTS5 `unicode61` splits Devanagari words at the virama and nukta
(`प्रशासन` → `प` + `रशासन`) and knows no spelling variants; `bench/search_index.py` measures
it against FTS5 trigram and this index on variant queries. Each word is reduced to a key by
`search_text.term_key` (nukta, chandrabindu, nasal clusters, long/short vowels, vowel-sign
endings, digits of both scripts folded), stored once per (dak, key) with a field weight.

Any writer may register dak (CLI, watched folders, bulk, workers): the index catches up
lazily on the next search (dak rows without a `search_doc`), and API edits re-index at once.
"""

from __future__ import annotations

import hashlib
import html
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Float, ForeignKey, Integer, String, and_, delete, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from dakscan.service.models import Base, Dak
from dakscan.service.search_text import is_prefix_key, keys, term_key, words

SEARCH_LOCK = 7_042_031  # PostgreSQL advisory lock: one indexer at a time
BATCH = 200
# Field weights: where a word stands says how much a hit there is worth.
WEIGHTS = {"letter_no": 6.0, "diary_no": 6.0, "subject": 4.0, "sender": 3.0,
           "addressee": 1.5, "body": 1.0}
BODY_CAP = 5.0  # a word repeated all over a long letter counts at most this much


class SearchDoc(Base):
    """One row per indexed dak; `fingerprint` tells a stale index from a current one."""

    __tablename__ = "search_doc"

    dak_id: Mapped[int] = mapped_column(ForeignKey("dak.id", ondelete="CASCADE"),
                                        primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    terms: Mapped[int] = mapped_column(Integer, default=0)


class SearchTerm(Base):
    """One row per (dak, key) with the summed field weight of its occurrences."""

    __tablename__ = "search_term"

    dak_id: Mapped[int] = mapped_column(ForeignKey("dak.id", ondelete="CASCADE"),
                                        primary_key=True)
    term: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)


def dak_sources(dak: Dak) -> dict[str, str]:
    """The texts of a dak that search covers, by field (edited values, not the OCR guess)."""
    sender = " ".join(x for x in (dak.sender_name, dak.sender_designation, dak.sender_office)
                      if x)
    return {"letter_no": dak.letter_no or "", "diary_no": dak.diary_no or "",
            "subject": dak.subject or "", "sender": sender, "addressee": dak.addressee or "",
            "body": dak.ocr_text or ""}


def fingerprint(sources: dict[str, str]) -> str:
    h = hashlib.sha256()
    for name in sorted(sources):
        h.update(name.encode() + b"\0" + sources[name].encode() + b"\0")
    return h.hexdigest()


def term_weights(sources: dict[str, str]) -> dict[str, float]:
    body: dict[str, float] = defaultdict(float)
    fields: dict[str, float] = defaultdict(float)
    for name, txt in sources.items():
        target = body if name == "body" else fields
        for k in keys(txt):
            target[k] += WEIGHTS[name]
    out = {k: min(v, BODY_CAP) for k, v in body.items()}
    for k, v in fields.items():
        out[k] = out.get(k, 0.0) + v
    return out


def index_dak(session: Session, dak: Dak) -> bool:
    """(Re)index one dak if its searchable text changed; True when rows were written."""
    sources = dak_sources(dak)
    fp = fingerprint(sources)
    doc = session.get(SearchDoc, dak.id)
    if doc is not None and doc.fingerprint == fp:
        return False
    session.execute(delete(SearchTerm).where(SearchTerm.dak_id == dak.id))
    weights = term_weights(sources)
    if weights:
        session.execute(SearchTerm.__table__.insert(),
                        [{"dak_id": dak.id, "term": k, "weight": w} for k, w in weights.items()])
    if doc is None:
        session.add(SearchDoc(dak_id=dak.id, fingerprint=fp, terms=len(weights)))
    else:
        doc.fingerprint, doc.terms = fp, len(weights)
    session.flush()
    return True


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SEARCH_LOCK})


def unindexed(session: Session, limit: int = BATCH) -> list[int]:
    q = (select(Dak.id).outerjoin(SearchDoc, SearchDoc.dak_id == Dak.id)
         .where(SearchDoc.dak_id.is_(None)).order_by(Dak.id).limit(limit))
    return list(session.scalars(q))


def catch_up(db_url: str, budget_s: float | None = None) -> int:
    """Index every dak that has no index rows yet (registered by any process); returns count.

    With `budget_s`, stop after the batch that passes the budget: a search after a bulk
    conversion of many thousand records must not wait for all of them (`pending` tells).
    """
    from dakscan.service.db import session_scope

    done = 0
    start = time.monotonic()
    while budget_s is None or time.monotonic() - start < budget_s:
        with session_scope(db_url, readonly=True) as s:
            if not unindexed(s, 1):
                return done
        with session_scope(db_url) as s:
            _lock(s)
            ids = unindexed(s)
            for dak in s.scalars(select(Dak).where(Dak.id.in_(ids))):
                index_dak(s, dak)
            done += len(ids)
        if len(ids) < BATCH:
            return done
    return done


def pending(db_url: str) -> int:
    """Dak not yet in the search index."""
    from dakscan.service.db import session_scope

    with session_scope(db_url, readonly=True) as s:
        return s.scalar(select(func.count()).select_from(Dak)
                        .outerjoin(SearchDoc, SearchDoc.dak_id == Dak.id)
                        .where(SearchDoc.dak_id.is_(None))) or 0


def reindex(session: Session, dak: Dak) -> None:
    """Re-index one dak inside the caller's write transaction (after an edit)."""
    _lock(session)
    index_dak(session, dak)


@dataclass(frozen=True)
class Term:
    """One query word as an index key; `prefix` when typed with a trailing * (प्रशासन*)."""

    key: str
    prefix: bool = False

    def matches(self, word_key: str) -> bool:
        return word_key == self.key or (self.prefix and word_key.startswith(self.key))

    def condition(self):  # noqa: ANN201 - a SQL condition
        if not self.prefix:
            return SearchTerm.term == self.key
        upper = self.key[:-1] + chr(ord(self.key[-1]) + 1)
        return and_(SearchTerm.term >= self.key, SearchTerm.term < upper)


@dataclass
class Query:
    """A parsed query: every word must match (AND); spelling variants meet through the key."""

    raw: str
    terms: list[Term] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [t.key + ("*" if t.prefix else "") for t in self.terms]

    @classmethod
    def parse(cls, q: str) -> Query:
        terms: list[Term] = []
        for m in words(q):
            k = term_key(m.group())
            starred = q[m.end():m.end() + 1] == "*"
            if not k:
                continue
            if starred and is_prefix_key(k):
                # the stem of the typed word, so प्रशासन* and प्रशासनिक* both reach प्रशासन…
                term = Term(k, prefix=True)
            else:
                term = Term(k)
            if term not in terms:
                terms.append(term)
        return cls(raw=q, terms=terms[:12])


def rank(session: Session, query: Query) -> list[tuple[int, float]]:
    """(dak id, score) of every dak holding all query terms, best first.

    Score: per term, the matched field weight scaled by the term's rarity (idf); a whole-key
    hit counts more than a prefix hit.
    """
    total = session.scalar(select(func.count()).select_from(SearchDoc)) or 1
    scores: dict[int, float] | None = None
    for term in query.terms:
        rows = session.execute(select(SearchTerm.dak_id, SearchTerm.term, SearchTerm.weight)
                               .where(term.condition())).all()
        per: dict[int, float] = defaultdict(float)
        for dak_id, key, weight in rows:
            per[dak_id] += weight * (1.0 if key == term.key else 0.6)
        idf = math.log(1 + total / max(1, len(per)))
        if scores is None:
            scores = {d: w * idf for d, w in per.items()}
        else:
            scores = {d: sc + per[d] * idf for d, sc in scores.items() if d in per}
        if not scores:
            return []
    return sorted((scores or {}).items(), key=lambda kv: (-kv[1], -kv[0]))


def snippet(txt: str, query: Query, width: int = 160) -> str:
    """An HTML-safe excerpt around the densest hits, each hit word wrapped in <mark>."""
    hits = [(m.start(), m.end()) for m in words(txt)
            if any(t.matches(term_key(m.group())) for t in query.terms)]
    if not hits:
        return ""
    best = max(hits, key=lambda h: sum(1 for o in hits if 0 <= o[0] - h[0] < width))
    start = max(0, best[0] - width // 4)
    end = min(len(txt), start + width)
    while start > 0 and not txt[start - 1].isspace() and best[0] - start < width // 2:
        start -= 1
    out, pos = [], start
    for s, e in hits:
        if s < start or e > end:
            continue
        out += [html.escape(txt[pos:s]), "<mark>", html.escape(txt[s:e]), "</mark>"]
        pos = e
    out.append(html.escape(txt[pos:end]))
    body = " ".join("".join(out).split())
    return ("… " if start > 0 else "") + body + (" …" if end < len(txt) else "")


def best_snippet(dak: Dak, query: Query) -> tuple[str, str]:
    """(field, snippet) from the most telling field that holds a hit."""
    sources = dak_sources(dak)
    for name in ("subject", "letter_no", "sender", "diary_no", "addressee", "body"):
        snip = snippet(sources[name], query)
        if snip:
            return name, snip
    return "body", ""
