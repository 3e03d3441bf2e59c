"""A student's workspace: one folder per started lab under a root, and the progress file.

``course lab start`` fills ``ROOT/<slug>/``; ``course lab check`` records each score in
``ROOT/.course-status.json`` (``passed`` stays true once reached, which unlocks
``course lab solution``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from course.files import atomic_write_bytes

DEFAULT_ROOT = "course-work"
STATUS_FILE = ".course-status.json"


def workspace(work_root: str, slug: str) -> Path:
    """ROOT/SLUG; run from inside a lab's own folder, that folder (the default root only)."""
    here = Path.cwd()
    if work_root == DEFAULT_ROOT and here.name == slug and (here / f"{slug}.py").is_file():
        return here
    return Path(work_root).expanduser().resolve() / slug


def read_status(work_root: Path) -> dict:
    """Each lab's last score, or nothing when the file is missing or unreadable."""
    try:
        data = json.loads((work_root / STATUS_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def record_status(work_root: Path, slug: str, score: float, max_score: float) -> None:
    status = read_status(work_root)
    previous = status.get(slug, {})
    status[slug] = {
        "score": score,
        "max_score": max_score,
        "passed": score >= max_score or bool(previous.get("passed")),
        "checked": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    atomic_write_bytes(work_root / STATUS_FILE, json.dumps(status, indent=1).encode())
