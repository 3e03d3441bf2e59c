"""The Anki note types. Their ids and field lists are frozen: Anki matches note types by
id, and a changed field list under an old id makes Anki refuse the old notes. To change
fields, make a new id (the tests pin every id to its field list). Templates and CSS may change.
"""

from __future__ import annotations

import functools
import hashlib
import json

BASIC_ID = 1_607_392_319
REVERSED_ID = 1_607_392_320
CLOZE_ID = 1_607_392_321

FIELDS = {
    BASIC_ID: ("Id", "Front", "Back", "Lab"),
    REVERSED_ID: ("Id", "Front", "Back", "Lab"),
    CLOZE_ID: ("Id", "Text", "Extra", "Lab"),
}

_LAB = '{{#Lab}}<div class="meta">Lab: <code>{{Lab}}</code> — <code>course lab start {{Lab}}</code></div>{{/Lab}}'


@functools.lru_cache(maxsize=None)
def model_for(card_type: str):
    import genanki

    from course.cards.render import card_css

    css = card_css()
    fields = lambda mid: [{"name": n} for n in FIELDS[mid]]  # noqa: E731
    if card_type == "cloze":
        return genanki.Model(
            CLOZE_ID,
            "MMD Cloze",
            fields=fields(CLOZE_ID),
            templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}",
                        "afmt": "{{cloze:Text}}<hr id=answer>{{Extra}}" + _LAB}],
            css=css,
            model_type=genanki.Model.CLOZE,
            sort_field_index=1,
        )
    forward = {"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}" + _LAB}
    if card_type == "reversed":
        backward = {"name": "Card 2", "qfmt": "{{Back}}", "afmt": "{{FrontSide}}<hr id=answer>{{Front}}" + _LAB}
        return genanki.Model(
            REVERSED_ID, "MMD Basic (and reversed)", fields=fields(REVERSED_ID), templates=[forward, backward],
            css=css, sort_field_index=1,
        )
    return genanki.Model(BASIC_ID, "MMD Basic", fields=fields(BASIC_ID), templates=[forward], css=css,
                         sort_field_index=1)


def notetypes_digest() -> str:
    """A hash of the note types' names, fields, templates and CSS."""
    # Fresh models: genanki adds keys ('ord', defaults) to a model once it has written it, and
    # model_for's are cached, so after an export in the same process the digest would move.
    models = [model_for.__wrapped__(t) for t in ("basic", "reversed", "cloze")]
    payload = json.dumps([[m.model_id, m.name, m.fields, m.templates, m.css] for m in models], sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
