"""The unseen letters (tests/test_metadata_unseen.py) through the real page pipeline: each letter
rendered as a 300-dpi page (clean, and mild: slight skew, scanner noise, JPEG q70), OCR'd by
Tesseract via `recognise_page`, then read by the metadata extractor. Prints per field the
correct / wrong / empty counts per level; `--show` lists every mismatch with the OCR line.

Run by hand: `.venv/bin/python bench/metadata_unseen_ocr.py [--levels clean,mild] [--show]
[--cases NAME,..] [--cache DIR] [--dump]`. `--cache` keeps the OCR'd pages (they do not depend
on classify/), so a change to the rules can be re-checked in seconds.
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from corpus_letters import FONTS  # noqa: E402
from test_metadata_unseen import CASES, RECEIVED, Case, flat  # noqa: E402

from letters import DPI, noisy, render_page, rotate  # noqa: E402

NAMES = ["no", "date", "subject", "name", "designation", "language", "type", "priority",
         "time_bound", "security", "addressee"]
EVIDENCE = {"no": "letter_no", "date": "letter_date", "subject": "subject", "name": "sender_name",
            "designation": "sender_designation", "language": "language", "type": "letter_type",
            "priority": "priority", "time_bound": "time_bound", "security": "security",
            "addressee": "addressee"}
SIZE, MARGIN, LEADING = 42, 200, 1.9
PAGE_WIDTH = 2480  # A4 at 300 dpi; the page is cut short below the last line (OCR time)


def render(case: Case, level: str, seed: int):  # noqa: ANN201
    """The letter as a scanned page; fonts rotate over the corpus's three families."""
    deva, latin = FONTS[seed % len(FONTS)]
    height = 2 * MARGIN + int(SIZE * LEADING) * len(case.lines)
    img = render_page(case.lines, size=SIZE, margin=MARGIN, leading=LEADING, deva_font=deva,
                      latin_font=latin, page=(PAGE_WIDTH, height))
    if level == "mild":
        angle = random.Random(seed).uniform(-1.5, 1.5)
        img = noisy(rotate(img, angle), sigma=8, blur=0.6, seed=seed)
    return img


def ocr(args: tuple[Case, str, int]):  # noqa: ANN201
    """Render, save as JPEG q70 and run the real page pipeline: the page's OCR text."""
    from dakscan.ingest.pages import PageRef
    from dakscan.ocr.recognise import PageOptions, recognise_page

    case, level, seed = args
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scan.jpg"
        render(case, level, seed).save(path, "JPEG", quality=70, dpi=(DPI, DPI))
        return recognise_page(PageRef(str(path), "jpeg", 0), PageOptions()).text


def pages(cases: list[tuple[int, Case]], level: str, cache: Path | None) -> list:
    """OCR'd pages, from the cache where present."""
    out: dict[int, object] = {}
    todo = []
    for i, c in cases:
        hit = cache / f"{c.name}.{level}.pkl" if cache else None
        if hit and hit.exists():
            out[i] = pickle.loads(hit.read_bytes())
        else:
            todo.append((i, c))
    if todo:
        with ProcessPoolExecutor(2) as pool:
            for (i, c), page in zip(todo, pool.map(ocr, [(c, level, i) for i, c in todo]),
                                    strict=True):
                out[i] = page
                if cache:
                    cache.mkdir(parents=True, exist_ok=True)
                    (cache / f"{c.name}.{level}.pkl").write_bytes(pickle.dumps(page))
    return [out[i] for i, _ in cases]


def _norm(v: object) -> str:
    import re

    from dakscan.ocr.normalise import for_matching

    return re.sub(r"\s+", "", for_matching(str(v))) if v is not None else ""


def judge(name: str, truth: object, got: object) -> str:
    """'correct', 'wrong' or 'empty'; subject and addressee allow 3% character errors."""
    from letters import cer

    if got in (None, "", []):
        return "correct" if truth in (None, "") else "empty"
    if truth in (None, ""):
        return "wrong"
    if isinstance(truth, bool) or isinstance(got, bool):
        return "correct" if bool(truth) == bool(got) else "wrong"
    if name in ("subject", "addressee"):
        return "correct" if cer(_norm(truth), _norm(got)) <= 0.03 else "wrong"
    return "correct" if _norm(truth) == _norm(got) else "wrong"


def ocr_line(page, meta: dict, name: str, truth: object) -> str:  # noqa: ANN001
    """The line the field was read from, else the OCR line nearest the expected value."""
    from rapidfuzz import fuzz

    ev = (meta["fields"].get(EVIDENCE[name]) or {}).get("evidence") or {}
    if isinstance(ev, dict) and ev.get("line"):
        return str(ev["line"])
    if truth in (None, "") or isinstance(truth, bool):
        return ""
    lines = page.text.splitlines()
    best = max(lines, key=lambda ln: fuzz.partial_ratio(str(truth), ln), default="")
    return best


def main() -> None:
    from dakscan.classify.metadata import dak_fields, extract

    ap = argparse.ArgumentParser()
    ap.add_argument("--levels", default="clean,mild")
    ap.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    ap.add_argument("--cache", type=Path, default=None, help="keep OCR'd pages here")
    ap.add_argument("--show", action="store_true", help="list every wrong or empty field")
    ap.add_argument("--dump", action="store_true", help="print the OCR text of each page")
    args = ap.parse_args()
    wanted = set(filter(None, args.cases.split(",")))
    cases = [(i, c) for i, c in enumerate(CASES) if not wanted or c.name in wanted]
    for level in args.levels.split(","):
        start = time.monotonic()
        texts = pages(cases, level, args.cache)
        table = {f: {"correct": 0, "wrong": 0, "empty": 0, "n": 0} for f in NAMES}
        shown = []
        for (_, case), page in zip(cases, texts, strict=True):
            meta = extract([page], RECEIVED)
            got = flat(dak_fields(meta))
            if args.dump:
                shown.append(f"--- {case.name} [{level}]\n{page.text}")
            for f in NAMES:
                if f not in case.expect:
                    continue
                verdict = judge(f, case.expect[f], got[f])
                table[f][verdict] += 1
                table[f]["n"] += 1
                if verdict != "correct" and args.show:
                    shown.append(f"  {case.name} {f} {verdict}: {case.expect[f]!r} -> "
                                 f"{got[f]!r}  | {ocr_line(page, meta, f, case.expect[f])!r}")
        print(f"\n{level}: {len(cases)} letters, {time.monotonic() - start:.0f} s OCR+extract")
        print(f"{'field':<14}{'correct':>9}{'wrong':>7}{'empty':>7}{'n':>5}")
        for f in NAMES:
            t = table[f]
            if t["n"]:
                print(f"{f:<14}{t['correct']:>9}{t['wrong']:>7}{t['empty']:>7}{t['n']:>5}")
        for line in shown:
            print(line)


if __name__ == "__main__":
    main()
