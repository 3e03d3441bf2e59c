"""``cards/cards.lock``: a content hash and a modification time per card id.

Anki updates a known note only when the incoming note is newer. The lock gives each note
a modification time that moves only when that card's rendered content moves, so an
update touches exactly the edited notes and unchanged sources export byte-identically.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from course.cards import notetypes
from course.errors import CourseError
from course.files import atomic_write_bytes

if TYPE_CHECKING:
    from course.cards.notes import RenderedNote

LOCK_NAME = "cards.lock"


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


def stamp_notes(root: Path, notes: list[RenderedNote]) -> tuple[dict[str, dict], list[str], dict[str, dict]]:
    """Lock entries for ``notes`` (plus the note types), the changed ids, and the old lock.

    The note types count as one more entry: when their templates or CSS change, the
    package's timestamp moves, so Anki's "update note types if newer" takes the change.
    """
    locked = read_lock(root)
    hashes = {n.card.id: n.digest for n in notes}
    hashes[NOTETYPES_KEY] = notetypes.notetypes_digest()
    types = {n.card.id: n.note_type for n in notes}
    entries, changed = resolve(locked, hashes, types)
    return entries, changed, locked


def write_lock(root: Path, entries: dict[str, dict]) -> Path:
    path = root / "cards" / LOCK_NAME
    text = json.dumps(dict(sorted(entries.items())), indent=1, sort_keys=True) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))
    return path
