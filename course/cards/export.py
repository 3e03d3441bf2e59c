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
from dataclasses import dataclass
from pathlib import Path

from course.cards import lock, notetypes
from course.cards.parse import Card
from course.errors import CourseError
from course.files import atomic_write_bytes

ROOT_DECK = "Model Monitoring & Debugging"
GUID_NAMESPACE = "mmd-course"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class RenderedNote:
    card: Card
    note_type: int
    fields: list[str]
    tags: list[str]
    deck: str
    media: dict[str, Path]  # media name -> source file
    digest: str = ""


def stable_id(text: str) -> int:
    """A deterministic deck id from a name: 48 bits of a hash with bit 40 set, positive and
    clear of the small ids Anki gives its own decks."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16) | (1 << 40)


def note_guid(card_id: str) -> str:
    import genanki

    return genanki.guid_for(GUID_NAMESPACE, card_id)


def media_name(source: Path) -> str:
    """Content-hashed name: a changed image gets a new name, so Anki never keeps a stale copy."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:10]
    return f"mmd-{digest}-{source.name}"


def render_card(card: Card, root: Path, task_tags: list[str] = ()) -> RenderedNote:
    from course.cards.render import to_html

    media: dict[str, Path] = {}

    def image_src(src: str) -> str:
        source = root / "cards" / src
        if not source.is_file():
            raise CourseError(f"{card.path}:{card.line}: card '{card.id}': missing image file cards/{src}")
        name = media_name(source)
        media[name] = source
        return name

    try:
        front = to_html(card.front, image_src)
        back = to_html(card.back, image_src) if card.back else ""
    except CourseError:
        raise
    except Exception as exc:  # noqa: BLE001  (a renderer bug must still name the card)
        raise CourseError(f"{card.path}:{card.line}: card '{card.id}' could not be rendered: {exc}") from None
    note_type = {"basic": notetypes.BASIC_ID, "reversed": notetypes.REVERSED_ID, "cloze": notetypes.CLOZE_ID}[card.type]
    deck = f"{ROOT_DECK}::{card.deck}"
    tags = card.anki_tags + [t for t in task_tags if t not in card.anki_tags]  # one per lab task it serves
    note = RenderedNote(card, note_type, [card.id, front, back, card.lab or ""], tags, deck, media)
    note.digest = lock.content_hash(note_type, note.fields, note.tags, deck)
    return note


def build_notes(cards: list[Card], root: Path) -> list[RenderedNote]:
    """Rendered notes; each carries the tags of the lab tasks that name it (``lab.toml``)."""
    from course.cards.pairing import task_tags
    from course.labs.manifest import load_manifest

    tags = task_tags(load_manifest(root).labs)
    return [render_card(card, root, tags.get(card.id, [])) for card in cards]


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


def notetypes_digest() -> str:
    """A hash of the note types' names, fields, templates and CSS."""
    # Fresh models: genanki adds keys ('ord', defaults) to a model once it has written it, and
    # model_for's are cached, so after an export in the same process the digest would move.
    models = [notetypes.model_for.__wrapped__(t) for t in ("basic", "reversed", "cloze")]
    payload = json.dumps([[m.model_id, m.name, m.fields, m.templates, m.css] for m in models], sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def stamp_notes(root: Path, notes: list[RenderedNote]) -> tuple[dict[str, dict], list[str], dict[str, dict]]:
    """Lock entries for ``notes`` (plus the note types), the changed ids, and the old lock.

    The note types count as one more entry: when their templates or CSS change, the
    package's timestamp moves, so Anki's "update note types if newer" takes the change.
    """
    locked = lock.read_lock(root)
    hashes = {n.card.id: n.digest for n in notes}
    hashes[lock.NOTETYPES_KEY] = notetypes_digest()
    types = {n.card.id: n.note_type for n in notes}
    entries, changed = lock.resolve(locked, hashes, types)
    return entries, changed, locked


def export(root: Path, cards: list[Card], out: Path, *, update_lock: bool = False) -> dict:
    """Render, stamp and write ``cards``; returns a summary for the CLI."""
    notes = build_notes(cards, root)
    entries, changed, locked = stamp_notes(root, notes)
    write_apkg(notes, {k: v["mod"] for k, v in entries.items()}, out)
    if update_lock and changed:
        merged = {**locked, **entries}
        lock.write_lock(root, merged)
    return {
        "notes": len(notes),
        "cards": sum(2 if n.card.type == "reversed" else max(1, len(set(re.findall(r"\{\{c(\d+)::", n.fields[1])))) for n in notes),
        "changed": [c for c in changed if c != lock.NOTETYPES_KEY],
        "media": len({m for n in notes for m in n.media}),
        "decks": len({n.deck for n in notes}),
        "out": str(out),
    }
