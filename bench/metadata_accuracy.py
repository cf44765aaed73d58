"""Per-field accuracy of the metadata extractor on the labelled corpus, through the real OCR:
correct share, wrong and empty counts for clean, mild and heavy degradation.

Run by hand: `.venv/bin/python bench/metadata_accuracy.py [--letters 119] [--show]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from corpus_letters import EXTRA, FIELDS, corpus, mistakes, read_all, score  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--letters", type=int, default=119)
    ap.add_argument("--levels", default="clean,mild,heavy")
    ap.add_argument("--show", action="store_true", help="list every wrong or empty field")
    args = ap.parse_args()
    samples = corpus(args.letters)
    names = FIELDS + EXTRA
    for level in args.levels.split(","):
        start = time.monotonic()
        results = read_all(samples, level)
        table = score(samples, results, names)
        print(f"\n{level}: {len(samples)} letters, {time.monotonic() - start:.0f} s OCR+extract")
        print(f"{'field':<16}{'correct':>9}{'wrong':>7}{'empty':>7}{'n':>5}")
        for f in names:
            t = table[f]
            share = t["correct"] / t["n"] if t["n"] else 0.0
            print(f"{f:<16}{share:>9.1%}{t['wrong']:>7}{t['empty']:>7}{t['n']:>5}")
        if args.show:
            for line in mistakes(samples, results, names):
                print("  ", line)


if __name__ == "__main__":
    main()
