"""A card as an Anki note: rendered fields, tags, deck, media and the content digest.

Both the exporter and ``course cards lock`` start from these notes: the lock records each
note's digest, so it must be computed from exactly what the package will hold.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from course.cards import notetypes
from course.cards.parse import Card
from course.errors import CourseError

ROOT_DECK = "Model Monitoring & Debugging"
NOTE_TYPE_IDS = {"basic": notetypes.BASIC_ID, "reversed": notetypes.REVERSED_ID, "cloze": notetypes.CLOZE_ID}


@dataclass
class RenderedNote:
    card: Card
    note_type: int
    fields: list[str]
    tags: list[str]
    deck: str
    media: dict[str, Path]  # media name -> source file
    digest: str = ""


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
    note_type = NOTE_TYPE_IDS[card.type]
    deck = f"{ROOT_DECK}::{card.deck}"
    tags = card.anki_tags + [t for t in task_tags if t not in card.anki_tags]  # one per lab task it serves
    note = RenderedNote(card, note_type, [card.id, front, back, card.lab or ""], tags, deck, media)
    note.digest = content_hash(note_type, note.fields, note.tags, deck)
    return note


def build_notes(cards: list[Card], root: Path, labs=None) -> list[RenderedNote]:
    """Rendered notes; each carries the tags of the lab tasks that name it (``lab.toml``).

    ``labs`` are the manifest's labs; a caller that has not loaded the manifest may leave it out.
    """
    from course.cards.pairing import task_tags

    if labs is None:
        from course.labs.manifest import load_manifest

        labs = load_manifest(root).labs
    tags = task_tags(labs)
    return [render_card(card, root, tags.get(card.id, [])) for card in cards]


def content_hash(note_type: int, fields: list[str], tags: list[str], deck: str) -> str:
    """What the lock records of a note: its type, fields, tags and deck (sorted tags, so the
    order they are written in moves nothing)."""
    payload = json.dumps([note_type, fields, sorted(tags), deck], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
