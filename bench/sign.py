"""Seconds per PDF/A conversion, per signature, per verification, and per scrub of N files.

Run by hand: `.venv/bin/python bench/sign.py [--files 1000] [--runs 30]`. Builds one real
dak PDF through the pipeline (OCR), then registers enough further daks — each with its own
original, sealed (PDF/A + signature) by `Pipeline.register` — that the archive holds
`--files` files (an original and a PDF per dak); the scrub then measures hashing and
signature verification, not OCR. Everything lives in a temporary DAKSCAN_HOME.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def per_call(fn, runs: int) -> float:  # noqa: ANN001
    t = time.perf_counter()
    for i in range(runs):
        fn(i)
    return (time.perf_counter() - t) / runs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="dakscan-sign-") as tmp:
        os.environ["DAKSCAN_HOME"] = tmp
        from dakscan.ingest.archive import sha256_file
        from dakscan.ingest.pdfa import make_pdfa
        from dakscan.ingest.pdfa_check import revision_before_first_signature
        from dakscan.ingest.scrub import scrub
        from dakscan.ingest.sign import sign_pdf
        from dakscan.ingest.verify import verify_bytes
        from dakscan.service.config import get_settings
        from dakscan.service.pipeline import Intake, Pipeline
        from dakscan.service.store import now

        from letters import HINDI_LETTER, render_page, save

        settings = get_settings()
        with Pipeline(workers=1) as p:
            r = p.process(save(render_page(HINDI_LETTER), Path(tmp) / "seed.png"))
        signed = Path(r["archive"]["path"]).read_bytes()
        assembled = revision_before_first_signature(signed)  # a PDF/A, as make_pdfa wrote it
        info = {"diary_no": "0/2026/B", "fields": {"subject": "पेयजल"}, "language": "hi"}
        sign_pdf(assembled, settings, "0/0/X")  # load the key once
        n = args.runs
        pdfa_s = per_call(lambda i: make_pdfa(assembled, {**info, "diary_no": f"{i}/2026/B"}), n)
        sign_s = per_call(lambda i: sign_pdf(assembled, settings, f"{i}/2026/B"), n)
        verify_s = per_call(lambda i: verify_bytes(signed, "x", settings), n)
        print(f"page PDF: {len(signed) / 1024:.0f} KiB, one A4 page")
        print(f"PDF/A-3b conversion + validation: {pdfa_s * 1000:.0f} ms per dak ({n} runs)")
        print(f"PAdES signature (RSA-2048, dev key): {sign_s * 1000:.0f} ms per dak ({n} runs)")
        print(f"verify (signature + PDF/A rules + register): {verify_s * 1000:.0f} ms per file")
        src = Path(tmp) / "original.bin"
        daks = max(args.files // 2 - 1, 0)
        t = time.perf_counter()
        with Pipeline(workers=1) as p:
            for i in range(daks):
                src.write_bytes(f"original {i}".encode())
                sha = sha256_file(src)
                p.register(src, "png", Intake(), sha, [], {}, assembled, now(),
                           time.monotonic())
        reg = (time.perf_counter() - t) / max(daks, 1)
        print(f"seal + archive + register (no OCR): {reg * 1000:.0f} ms per dak ({daks} daks)")
        for full in (False, True):
            t = time.perf_counter()
            checked, problems = scrub(settings, full=full, record=False)
            secs = time.perf_counter() - t
            label = "scrub --full" if full else "scrub"
            print(f"{label}: {checked} files in {secs:.1f} s ({secs / checked * 1000:.1f} ms "
                  f"per file), {len(problems)} problems")


if __name__ == "__main__":
    main()
