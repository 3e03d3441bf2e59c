"""``cards/cards.lock``: a content hash and a modification time per card id.

Anki updates a known note only when the incoming note is newer. The lock gives each note
a modification time that moves only when that card's rendered content moves, so an
update touches exactly the edited notes and unchanged sources export byte-identically.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import secrets
import time
from pathlib import Path

from course.errors import CourseError

LOCK_NAME = "cards.lock"


def content_hash(note_type: int, fields: list[str], tags: list[str], deck: str) -> str:
    payload = json.dumps([note_type, fields, sorted(tags), deck], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def read_lock(root: Path) -> dict[str, dict]:
    path = root / "cards" / LOCK_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = {}
        for key, value in data.items():
            entries[key] = {"hash": str(value["hash"]), "mod": int(value["mod"])}
            if "type" in value:
                entries[key]["type"] = int(value["type"])
        return entries
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CourseError(f"{path}: unreadable lock file ({exc}); delete it and run 'course cards lock'") from None


NOTETYPES_KEY = "~notetypes"  # not a valid card id, so it never clashes with one


def resolve(
    lock: dict[str, dict], hashes: dict[str, str], types: dict[str, int] | None = None, now: int | None = None
) -> tuple[dict[str, dict], list[str]]:
    """New lock entries for ``hashes`` and the ids whose content changed since the lock.

    ``types`` gives each card's note type id. Anki cannot change the note type of an
    existing note on import (it skips the note), so a changed type is an error.
    """
    now = int(time.time()) if now is None else now
    types = types or {}
    new, changed = {}, []
    for card_id, digest in hashes.items():
        old = lock.get(card_id)
        note_type = types.get(card_id)
        if old and note_type is not None and old.get("type") not in (None, note_type):
            raise CourseError(
                f"card '{card_id}' changed its type since cards.lock; Anki cannot change the type of a note "
                "it already has, so give the card a new id"
            )
        if old and old["hash"] == digest:
            new[card_id] = dict(old)
        else:
            # Strictly newer than anything locked, so "update if newer" takes it.
            floor = max((entry["mod"] for entry in lock.values()), default=0) + 1
            new[card_id] = {"hash": digest, "mod": max(now, floor)}
            changed.append(card_id)
        if note_type is not None:
            new[card_id]["type"] = note_type
    return new, changed


def write_lock(root: Path, entries: dict[str, dict]) -> Path:
    path = root / "cards" / LOCK_NAME
    text = json.dumps(dict(sorted(entries.items())), indent=1, sort_keys=True) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


def _create_unique(parent: Path, prefix: str, suffix: str, make) -> Path:
    """Create a new, unused name in ``parent`` with ``make(path)``; retry on a clash."""
    for _ in range(100):
        path = parent / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            make(path)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary name", str(parent))


def make_temp_dir(parent: Path, prefix: str) -> Path:
    """A new folder in ``parent`` with the permissions of ``mkdir`` (0777 less the umask).

    ``tempfile.mkdtemp`` makes it 0700, so a released folder moved into place would be
    private; a student edition or a classroom repository is meant to be read by others.
    """
    return _create_unique(parent, prefix, "", lambda p: os.mkdir(p, 0o777))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file whole or not at all (temporary file in the same folder, then rename).

    The file gets the permissions of an ordinary new file (0666 less the umask, so usually
    0644), not ``mkstemp``'s 0600: decks, workspaces and grades are meant to be shared.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fds: list[int] = []

    def create(candidate: Path) -> None:
        fds.append(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666))

    tmp = _create_unique(path.parent, f".{path.name}.", ".tmp", create)
    try:
        with os.fdopen(fds[0], "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
