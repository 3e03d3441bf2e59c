"""``course export anki``: the course as an Anki package (.apkg), built with genanki.

Identity is what keeps a learner's reviews across updates: the note GUID comes from the
card id, note types have frozen ids and fields (:mod:`course.cards.notetypes`), and each note's
modification time comes from the lock file (:mod:`course.cards.lock`). The package is written
with fixed zip timestamps, so unchanged sources give byte-identical files.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from course.cards import lock, notetypes
from course.cards.notes import ROOT_DECK, RenderedNote, build_notes
from course.cards.parse import Card
from course.files import atomic_write_bytes

GUID_NAMESPACE = "mmd-course"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def stable_id(text: str) -> int:
    """A deterministic deck id from a name: 48 bits of a hash with bit 40 set, positive and
    clear of the small ids Anki gives its own decks."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16) | (1 << 40)


def note_guid(card_id: str) -> str:
    import genanki

    return genanki.guid_for(GUID_NAMESPACE, card_id)


def write_apkg(notes: list[RenderedNote], mods: dict[str, int], out: Path) -> None:
    """Write ``notes`` to ``out`` atomically, each note stamped with ``mods[card id]``."""
    import genanki

    class _StampedNote(genanki.Note):
        mod = 0

        def write_to_db(self, cursor, timestamp, deck_id, id_gen):
            super().write_to_db(cursor, self.mod, deck_id, id_gen)

    decks: dict[str, genanki.Deck] = {ROOT_DECK: genanki.Deck(stable_id(ROOT_DECK), ROOT_DECK)}
    media: dict[str, Path] = {}
    for position, note in enumerate(notes):
        deck = decks.setdefault(note.deck, genanki.Deck(stable_id(note.deck), note.deck))
        anki_note = _StampedNote(
            model=notetypes.model_for(note.card.type),
            fields=note.fields,
            tags=note.tags,
            guid=note_guid(note.card.id),
            due=position,  # new cards come in course order
        )
        anki_note.mod = mods[note.card.id]
        deck.add_note(anki_note)
        media.update(note.media)
    stamp = max(mods.values(), default=0)  # includes the note types' own entry
    package = genanki.Package(list(decks.values()))
    with tempfile.TemporaryDirectory(prefix="course-apkg-") as tmp:
        db_path = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        try:
            id_gen = iter(range(stamp * 1000, stamp * 1000 + 10**9))
            package.write_to_db(conn.cursor(), stamp, id_gen)
            conn.commit()
        finally:
            conn.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            _add(archive, "collection.anki2", db_path.read_bytes())
            names = sorted(media)
            _add(archive, "media", json.dumps({str(i): n for i, n in enumerate(names)}).encode())
            for i, name in enumerate(names):
                _add(archive, str(i), media[name].read_bytes())
        atomic_write_bytes(out, buffer.getvalue())


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def export(root: Path, cards: list[Card], out: Path, *, labs=None, update_lock: bool = False) -> dict:
    """Render, stamp and write ``cards``; returns a summary for the CLI. ``labs``: the manifest's
    labs, for the task tags (loaded from ``root`` when not given)."""
    notes = build_notes(cards, root, labs)
    entries, changed, locked = lock.stamp_notes(root, notes)
    write_apkg(notes, {k: v["mod"] for k, v in entries.items()}, out)
    if update_lock and changed:
        merged = {**locked, **entries}
        lock.write_lock(root, merged)
    return {
        "notes": len(notes),
        "cards": sum(_anki_cards(note) for note in notes),
        "changed": [c for c in changed if c != lock.NOTETYPES_KEY],
        "media": len({m for n in notes for m in n.media}),
        "decks": len({n.deck for n in notes}),
        "out": str(out),
    }


def _anki_cards(note: RenderedNote) -> int:
    """How many Anki cards a note makes: two for reversed, one per deletion number for cloze."""
    if note.card.type == "reversed":
        return 2
    return max(1, len(set(re.findall(r"\{\{c(\d+)::", note.fields[1]))))
