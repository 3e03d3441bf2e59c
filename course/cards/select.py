"""Choosing cards by tag and lab: the one filter behind ``cards list``, ``study`` and export."""

from __future__ import annotations

from course.cards.parse import Card


def select(cards: list[Card], tags: tuple[str, ...] = (), labs: tuple[str, ...] = ()) -> list[Card]:
    """Cards having any of ``tags`` (a tag also matches its nested tags) and any of ``labs``."""
    wanted = [t.lstrip("#").lower() for t in tags]

    def tag_ok(card: Card) -> bool:
        have = [t.lstrip("#").lower() for t in card.tags]
        return any(h == w or h.startswith(w + "/") for w in wanted for h in have)

    return [c for c in cards if (not wanted or tag_ok(c)) and (not labs or c.lab in labs)]
