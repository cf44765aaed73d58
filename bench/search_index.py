"""Search: which index finds Hindi spelling variants? And how fast is ours?

Run by hand: .venv/bin/python bench/search_index.py

Part 1 runs the variant queries of tests/test_search.py (मिश्रा/मिश्र, सितंबर/सितम्बर, nukta,
anusvara/chandrabindu, digits of both scripts) against SQLite FTS5 `unicode61` (raw text and
our normalised `search_form` text), FTS5 `trigram` (normalised) and dakscan's own key index,
and prints how many queries each gets exactly right. Part 2 times our index on a synthetic
register (index seconds per dak, query milliseconds).
"""

from __future__ import annotations

import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_search import CORPUS, EXPECTED  # noqa: E402

from dakscan.service.search_text import search_form  # noqa: E402


def fts_hits(tokenizer: str, normalise: bool) -> dict[str, set[str]]:
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(name UNINDEXED, body, tokenize='{tokenizer}')")
    for name, fields in CORPUS.items():
        text = " ".join(fields)
        db.execute("INSERT INTO t VALUES (?, ?)", (name, search_form(text) if normalise else text))
    out = {}
    for q in EXPECTED:
        words = (search_form(q) if normalise else q).replace("*", "").split()
        match = " AND ".join('"' + w.replace('"', "") + '"' for w in words)
        try:
            out[q] = {r[0] for r in db.execute("SELECT name FROM t WHERE t MATCH ?", (match,))}
        except sqlite3.OperationalError:
            out[q] = set()
    return out


def own_hits() -> dict[str, set[str]]:
    from test_api_support import make_settings
    from test_search import add_dak

    from dakscan.service.db import session_scope
    from dakscan.service.search import Query, catch_up, rank

    settings = make_settings(Path(tempfile.mkdtemp()) / "home")
    ids = {add_dak(settings, n, *f): n for n, f in CORPUS.items()}
    catch_up(settings.db_url)
    out = {}
    with session_scope(settings.db_url, readonly=True) as s:
        for q in EXPECTED:
            out[q] = {ids[d] for d, _ in rank(s, Query.parse(q))}
    return out


def score(name: str, hits: dict[str, set[str]]) -> None:
    right = [q for q in EXPECTED if hits[q] == EXPECTED[q]]
    missed = sum(len(EXPECTED[q] - hits[q]) for q in EXPECTED)
    wrong = sum(len(hits[q] - EXPECTED[q]) for q in EXPECTED)
    total = sum(len(v) for v in EXPECTED.values())
    print(f"{name:38s} exact {len(right):2d}/{len(EXPECTED)}  missed hits {missed:2d}/{total}"
          f"  wrong hits {wrong:2d}")


def timing(n: int = 3000) -> None:
    from test_api_support import make_settings
    from test_search import add_dak

    from dakscan.service.db import session_scope
    from dakscan.service.search import Query, catch_up, rank

    rnd = random.Random(1)
    vocab = " ".join(" ".join(f) for f in CORPUS.values()).split()
    settings = make_settings(Path(tempfile.mkdtemp()) / "home")
    for i in range(n):
        body = " ".join(rnd.choice(vocab) for _ in range(250))
        add_dak(settings, f"d{i}", f"विषय {i}", "श्री मिश्रा", f"{i}/2025", body)
    t = time.perf_counter()
    catch_up(settings.db_url)
    per = (time.perf_counter() - t) / n
    print(f"own index: {n} dak of ~250 words indexed at {per * 1000:.1f} ms per dak")
    for q in ("सितंबर", "मिश्रा धमतरी", "1234", "प्रशासन*"):
        with session_scope(settings.db_url, readonly=True) as s:
            t = time.perf_counter()
            hits = rank(s, Query.parse(q))
            ms = (time.perf_counter() - t) * 1000
        print(f"  query {q!r}: {len(hits)} hits ranked in {ms:.0f} ms")


if __name__ == "__main__":
    print(f"{len(EXPECTED)} variant queries over {len(CORPUS)} letters")
    score("FTS5 unicode61, raw text", fts_hits("unicode61", False))
    score("FTS5 unicode61, search_form text", fts_hits("unicode61", True))
    score("FTS5 trigram, search_form text", fts_hits("trigram", True))
    score("dakscan key index", own_hits())
    timing()
