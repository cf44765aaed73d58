"""Real sealed dak for the signing/archive/scrub tests: a Hindi and an English letter through
the real pipeline (Tesseract OCR, PDF/A, PAdES signature, archive, register).

OCR is the slow part, so the pair is registered once per test session in a template
DAKSCAN_HOME and each test gets its own copy under its `home` fixture (register, archive and
keys all live there; the register keeps archive paths relative).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from dakscan.service.config import reset_settings
from dakscan.service.db import dispose_engines

from letters import ENGLISH_LETTER, HINDI_LETTER, render_page, save

DAKSCAN = str(Path(sys.executable).parent / "dakscan")
WORDS = {"hi": "पेयजल", "en": "digitisation"}


def register_letters(scans: Path) -> dict[str, dict]:
    """Register the Hindi and the English letter under the current DAKSCAN_HOME."""
    from dakscan.service.pipeline import Pipeline

    scans.mkdir(parents=True, exist_ok=True)
    out = {}
    with Pipeline(workers=1) as p:
        for name, lines in (("hi", HINDI_LETTER), ("en", ENGLISH_LETTER)):
            scan = save(render_page(lines, page=(2480, 1400)), scans / f"{name}.png")
            result = p.process(scan)
            assert result["status"] == "registered", result
            out[name] = result
    return out


@lru_cache(maxsize=1)
def _template() -> tuple[Path, str]:
    root = Path(tempfile.mkdtemp(prefix="dakscan-sealed-"))
    atexit.register(shutil.rmtree, root, True)
    home = root / "home"
    saved = os.environ.get("DAKSCAN_HOME")
    os.environ["DAKSCAN_HOME"] = str(home)
    reset_settings()
    dispose_engines()
    try:
        results = register_letters(root / "scans")
    finally:
        dispose_engines()
        if saved is None:
            os.environ.pop("DAKSCAN_HOME", None)
        else:
            os.environ["DAKSCAN_HOME"] = saved
        reset_settings()
    return home, json.dumps(results)


def sealed_copy(home: Path) -> dict[str, dict]:
    """A copy of the sealed template in `home` (the `home` fixture's folder); the results
    of `Pipeline.process` with paths pointing into the copy."""
    template, results = _template()
    dispose_engines()
    shutil.copytree(template, home, dirs_exist_ok=True)
    return json.loads(results.replace(str(template.resolve()), str(home.resolve())))


def dakscan(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the installed CLI with the test's environment (DAKSCAN_HOME from `home`)."""
    return subprocess.run([DAKSCAN, *args], capture_output=True, text=True, timeout=180,
                          env={**os.environ, **(env or {})})


def writable(path: Path) -> Path:
    """Archive files are read-only; a tamper test makes one writable first."""
    path.chmod(0o644)
    return path
