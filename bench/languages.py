"""Which Tesseract model to default to: CER and seconds per page on the same rendered pages.

Compares `Devanagari`, `hin`, `eng+hin`, `hin+eng` (and `eng`) on straight and degraded Hindi
and English letters through dakscan's own page preparation, and counts letter numbers whose
ASCII digits came back wrong. Run by hand: `.venv/bin/python bench/languages.py`.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
os.environ["OMP_THREAD_LIMIT"] = "1"

from dakscan.ingest.prepare import prepare  # noqa: E402
from dakscan.ocr.normalise import for_matching  # noqa: E402
from dakscan.ocr.tesseract import ocr_page  # noqa: E402

from letters import (  # noqa: E402
    ENGLISH_LETTER,
    HINDI_LETTER,
    cer,
    grey_uneven,
    noisy,
    render_page,
    rotate,
)

MODELS = ["Devanagari", "hin", "eng+hin", "hin+eng", "eng"]
NUMBERS = ["1234", "4521", "567", "889", "2025"]


def pages() -> list[tuple[str, str, object]]:
    out = []
    for name, lines in (("hindi", HINDI_LETTER), ("english", ENGLISH_LETTER)):
        base = render_page(lines)
        truth = "\n".join(line.strip() for line in lines)
        out.append((f"{name} straight", truth, base))
        out.append((f"{name} skew+noise", truth, noisy(rotate(base, 4.0))))
        out.append((f"{name} grey", truth, grey_uneven(base)))
    return out


def main() -> None:
    prepared = [(label, truth, prepare(img, 300).ocr) for label, truth, img in pages()]
    print(f"{'model':<12}{'Hindi CER':>10}{'English CER':>12}{'s/page':>8}{'digits lost':>12}")
    for model in MODELS:
        cers: dict[str, list[float]] = {"hindi": [], "english": []}
        lost = 0
        t = time.perf_counter()
        for label, truth, img in prepared:
            text, _ = ocr_page(img, 1, 300, model)
            got = for_matching(text.text)
            cers[label.split()[0]].append(cer(for_matching(truth), got))
            lost += sum(1 for n in NUMBERS if n in truth and not re.search(rf"\b{n}\b", got))
        secs = (time.perf_counter() - t) / len(prepared)
        hi = sum(cers["hindi"]) / len(cers["hindi"])
        en = sum(cers["english"]) / len(cers["english"])
        print(f"{model:<12}{hi:>10.2%}{en:>12.2%}{secs:>8.2f}{lost:>12}")


if __name__ == "__main__":
    main()
