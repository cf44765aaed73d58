"""The watcher's queue as a small JSON file under DAKSCAN_HOME, so that `dakscan serve` (another
process, perhaps another user) can publish it in /metrics without asking the watcher."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

FRESH_SECONDS = 60  # an older file belongs to a watcher that is no longer running


def queue_path(home: Path) -> Path:
    return Path(home) / "watch" / "queue.json"


def write_queue(home: Path, desks: dict[str, dict[str, int]]) -> None:
    """Replace the file atomically: a reader sees the old or the new counts, never half."""
    path = queue_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".queue-{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"at": time.time(), "desks": desks}), encoding="utf-8")
    os.replace(tmp, path)


def read_queue(home: Path) -> dict[str, dict[str, int]]:
    """Per desk {"waiting": n, "processing": n}; empty when no watcher wrote lately."""
    try:
        data = json.loads(queue_path(home).read_text(encoding="utf-8"))
        if time.time() - float(data["at"]) > FRESH_SECONDS:
            return {}
        return {str(k): {q: int(n) for q, n in v.items()} for k, v in data["desks"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
