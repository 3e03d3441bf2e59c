"""Task-level pairing of labs and cards: each ``[[task]]`` of a lab's ``lab.toml`` names, in
``cards = [...]``, the cards that teach what the task tests. That list is the one source:
the Anki task tags, ``course study --task``, the cards a failed check names and the class
report's concepts all come from it.

Each exported note gets a tag per task it serves, ``mmd::<lab>::task-<n>``, in the same
``::`` tree as the other tags, so Anki's search (``tag:mmd::f1::task-3``) and filtered decks
select a task's cards.
"""

from __future__ import annotations

import re
from pathlib import Path

TAG_ROOT = "mmd"  # the tag tree of the generated task tags; card hashtags may not use it


def task_tag(slug: str, number: int) -> str:
    return f"{TAG_ROOT}::{slug}::task-{number}"


def task_search(slug: str, number: int) -> str:
    """The Anki search (browser, filtered deck) that finds the task's cards."""
    return f"tag:{task_tag(slug, number)}"


def task_tags(labs) -> dict[str, list[str]]:
    """Card id -> the task tags of every task that names it, in course order."""
    tags: dict[str, list[str]] = {}
    for lab in labs:
        for task in lab.tasks:
            for card_id in task.cards:
                tag = task_tag(lab.slug, task.number)
                if tag not in tags.setdefault(card_id, []):
                    tags[card_id].append(tag)
    return tags


def tasks_of(labs) -> dict[str, list[tuple[str, int]]]:
    """Card id -> the (lab, task number) pairs it serves."""
    served: dict[str, list[tuple[str, int]]] = {}
    for lab in labs:
        for task in lab.tasks:
            for card_id in dict.fromkeys(task.cards):
                served.setdefault(card_id, []).append((lab.slug, task.number))
    return served


def is_reserved_tag(hashtag: str) -> bool:
    """``#mmd`` and ``#mmd/...`` would mix with the generated task tags."""
    name = hashtag.lstrip("#").lower()
    return name == TAG_ROOT or name.startswith(TAG_ROOT + "/")


def task_card_problems(lab, cards_by_id: dict, root: Path | None = None) -> list[tuple[str, int, str]]:
    """(file, line, message) for every task that names no card, an unknown card or a card of
    another lab. Lint and selfcheck both report these."""
    path = lab.directory / "lab.toml"
    if root is not None and path.is_relative_to(root):
        path = path.relative_to(root)
    problems = []
    for task in lab.tasks:
        if not task.cards:
            problems.append((str(path), task.line,
                             f"task {task.number} names no cards (add cards = [\"{lab.slug}-...\"]: "
                             f"the ids of the cards that teach what it tests)"))
        seen: set[str] = set()
        for card_id, line in zip(task.cards, task.card_lines or (task.line,) * len(task.cards)):
            card = cards_by_id.get(card_id)
            if card_id in seen:
                problems.append((str(path), line, f"task {task.number} names card '{card_id}' twice"))
            elif card is None:
                problems.append((str(path), line, f"task {task.number} names card '{card_id}', which does not exist"))
            elif card.lab != lab.slug:
                problems.append((str(path), line, f"task {task.number} names card '{card_id}', which pairs with "
                                                  f"lab '{card.lab or 'none'}', not '{lab.slug}'"))
            seen.add(card_id)
    return problems


_CLOZE_RE = re.compile(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}", re.S)


def short_front(front: str, width: int = 72) -> str:
    """One line of a card's front for a terminal or a table: cloze deletions hidden, Markdown
    emphasis and code marks dropped, whitespace collapsed, cut at ``width``."""
    text = _CLOZE_RE.sub("[...]", front)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "[image]", text)
    text = re.sub(r"```.*?```", " [code] ", text, flags=re.S)
    text = text.replace("**", "").replace("`", "")
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
