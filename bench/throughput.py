"""dakscan vs bare `tesseract` on the same pages, in one run: seconds per page and the ratio.

Bare Tesseract makes a searchable PDF per page (`tesseract page.png out -l LANG pdf`, one
process per core, OMP_THREAD_LIMIT=1); dakscan runs the whole `dakscan process` command on the
same files (sniff, deskew, orientation, OCR, PDF assembly, PDF/A, signing, archive, register),
start-up included. Run by hand: `.venv/bin/python bench/throughput.py [--pages 12]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from letters import (  # noqa: E402
    ENGLISH_LETTER,
    HINDI_LETTER,
    grey_uneven,
    noisy,
    render_page,
    rotate,
    save,
)

DAKSCAN = str(Path(sys.executable).parent / "dakscan")


def make_pages(folder: Path, n: int) -> list[Path]:
    """Straight, skewed and grey Hindi and English letter pages, as a desk would feed them."""
    base = [render_page(HINDI_LETTER), render_page(ENGLISH_LETTER)]
    pages = []
    for i in range(n):
        img = base[i % 2]
        if i % 3 == 1:
            img = noisy(rotate(img, 2.5 + i % 5))
        elif i % 3 == 2:
            img = grey_uneven(img)
        # a distinct mark per page so no page is a duplicate of another
        img = img.copy()
        img.putpixel((5 + i, 5), 0)
        pages.append(save(img, folder / f"page-{i:03d}.png"))
    return pages


def bare_tesseract(pages: list[Path], out: Path, jobs: int, lang: str) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(p: Path) -> None:
        subprocess.run(["tesseract", str(p), str(out / p.stem), "-l", lang, "pdf"], env=env,
                       check=True, capture_output=True)

    t = time.perf_counter()
    with ThreadPoolExecutor(jobs) as ex:
        list(ex.map(one, pages))
    return time.perf_counter() - t


def dakscan(pages: list[Path], home: Path, workers: int, lang: str) -> float:
    env = {**os.environ, "DAKSCAN_HOME": str(home), "DAKSCAN_LANGUAGES": lang}
    env.pop("DAKSCAN_DATABASE_URL", None)
    t = time.perf_counter()
    proc = subprocess.run([DAKSCAN, "process", "--json", "--workers", str(workers),
                           *map(str, pages)], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"dakscan failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=12)
    ap.add_argument("--lang", default="Devanagari")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="dakscan-bench-") as tmp:
        tmp = Path(tmp)
        (tmp / "in").mkdir()
        pages = make_pages(tmp / "in", args.pages)
        print(f"{len(pages)} A4 pages at 300 dpi, model {args.lang}, {cores} cores")
        print(f"{'run':<22}{'tesseract s/page':>18}{'dakscan s/page':>16}{'ratio':>8}"
              f"{'without start-up':>18}")
        for jobs in sorted({1, cores}):
            out = tmp / f"tess-{jobs}"
            out.mkdir()
            home = tmp / f"home-{jobs}"
            bare = bare_tesseract(pages, out, jobs, args.lang) / len(pages)
            total = dakscan(pages, home, jobs, args.lang)
            # The command's fixed cost (imports, register, signer) without any OCR: the same
            # first page again, now a duplicate. Watch and bulk pay it once, not per batch.
            start_up = dakscan(pages[:1], home, jobs, args.lang)
            ours, steady = total / len(pages), (total - start_up) / len(pages)
            label = f"{jobs} core{'s' if jobs > 1 else ''}"
            print(f"{label:<22}{bare:>18.3f}{ours:>16.3f}{ours / bare:>8.2f}"
                  f"{steady / bare:>18.2f}")
        print(f"start-up of one `dakscan process` (duplicate page, no OCR): {start_up:.2f} s")


if __name__ == "__main__":
    main()
