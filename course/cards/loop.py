"""The loop from a failed lab task back to its cards (the student's side).

After ``course lab check``: which tasks were missed, the cards that teach them (from the
``cards = [...]`` of each ``[[task]]`` in lab.toml), how to review them, and one row per task
appended to the review log that ``course study`` reads. Nothing here can change a grade: it
runs after grading, and a review log that cannot be opened or written costs one note.

Kept light: sqlite3 and the card parser only (no torch, no rich at import time).
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from course.cards.pairing import short_front, task_search

MAX_CARDS_SHOWN = 5  # per missed task; the study command shows them all


def task_outcomes(result) -> dict[int, bool]:
    """Task number -> passed (every test passed) or missed (a test failed for a reason other
    than an untouched stub). Tasks not written yet, and every task when the module does not
    import, say nothing about what the student knows and are left out."""
    if result.import_error:
        return {}
    passed: dict[int, bool] = {}
    missed: set[int] = set()
    for r in result.results:
        task = r.test.task
        passed[task] = passed.get(task, True) and r.passed
        if not r.passed and not r.not_written:
            missed.add(task)
    return {task: ok for task, ok in passed.items() if ok or task in missed}


def db_path() -> Path:
    """The review log ``course study`` uses by default (``COURSE_STUDY_DB`` overrides it)."""
    from course.cards.study import default_db

    return Path(os.environ["COURSE_STUDY_DB"]) if os.environ.get("COURSE_STUDY_DB") else default_db()


def record(path: Path, slug: str, outcomes: dict[int, bool], when: datetime, timeout: float = 0.25) -> str:
    """Append to the review log a row for each failed task and for each task that passes after
    a failure (nothing else changes what ``course study`` does, and a check that writes nothing
    costs no disk sync). Return why that failed ('' when done).

    A log that is locked, not a database, or unwritable is left exactly as it is."""
    from course.cards.study import ReviewLog

    if not outcomes or (all(outcomes.values()) and not path.exists()):
        return ""
    try:
        log = ReviewLog(path, timeout=timeout)
    except (sqlite3.Error, OSError) as exc:
        return f"{path}: {exc}"
    try:
        missed = log.missed_tasks()
        rows = {task: ok for task, ok in outcomes.items() if not ok or (slug, task) in missed}
        if rows:
            log.record_tasks(slug, rows, when)
    except (sqlite3.Error, OSError, ValueError) as exc:
        return f"{path}: {exc}"
    finally:
        log.close()
    return ""


def when_text(moment: datetime, now: datetime | None = None) -> str:
    """``30 Nov`` (``30 Nov 2025`` when not this year)."""
    text = f"{moment.day} {moment:%b}"
    return text if now is None or now.year == moment.year else f"{text} {moment.year}"


def reason(slug: str, task: int, moment: datetime, now: datetime | None = None) -> str:
    return f"you missed {slug} task {task} on {when_text(moment, now)}"


def missed_cards(missed: dict[tuple[str, int], datetime], labs, now: datetime | None = None) -> dict[str, str]:
    """Card id -> why it comes first, for the cards of every missed task (course order, then
    task order, then the order of the task's list)."""
    out: dict[str, list[str]] = {}
    for lab in labs:
        for task in lab.tasks:
            moment = missed.get((lab.slug, task.number))
            if moment is None:
                continue
            for card_id in task.cards:
                out.setdefault(card_id, []).append(reason(lab.slug, task.number, moment, now))
    return {card_id: "; ".join(dict.fromkeys(why)) for card_id, why in out.items()}


def advice_lines(lab, missed: list[int], cards_by_id: dict, study_args: str = "") -> list[tuple[str, str]]:
    """(style, text) lines naming each missed task's cards and how to review them."""
    word = "task" if len(missed) == 1 else "tasks"
    lines: list[tuple[str, str]] = [("bold", f"The cards behind the failed {word}")]
    titles = {t.number: t for t in lab.tasks}
    for number in missed:
        task = titles.get(number)
        if task is None:
            continue
        lines.append(("", f"Task {number} ({task.title}): course study{study_args} --lab {lab.slug} --task {number}"))
        lines.append(("dim", f"  in Anki, search or make a filtered deck with: {task_search(lab.slug, number)}"))
        width = max((len(c) for c in task.cards[:MAX_CARDS_SHOWN]), default=0)
        for card_id in task.cards[:MAX_CARDS_SHOWN]:
            card = cards_by_id.get(card_id)
            front = short_front(card.front, 200) if card is not None else ""
            lines.append(("cyan", f"  {card_id:<{width}}  {front}".rstrip()))
        if len(task.cards) > MAX_CARDS_SHOWN:
            lines.append(("dim", f"  … and {len(task.cards) - MAX_CARDS_SHOWN} more"))
    return lines


def lab_cards(root: Path, lab) -> dict:
    """The cards the lab's tasks name, by id; only the card files that hold one are parsed
    (an unreadable one gives none: the ids are still printed)."""
    from course.cards.parse import card_files, parse_text
    from course.errors import CourseError

    wanted = {c for t in lab.tasks for c in t.cards}
    found = {}
    for path in card_files(root):
        try:
            text = path.read_text(encoding="utf-8-sig")
            if any(f"## {card_id}" in text for card_id in wanted):
                found.update({c.id: c for c in parse_text(text, path) if c.id in wanted})
        except (CourseError, OSError, UnicodeDecodeError):
            continue
    return found


def after_check(root: Path, lab, result, out=None, study_args: str = "", now: datetime | None = None) -> None:
    """Record the check's task outcomes and, on ``out`` (a rich console; None for --json),
    name the missed tasks' cards. Never raises: the check's grade and exit status stand."""
    import sys

    from rich.text import Text

    try:
        from course.cards.study import utc_now

        outcomes = task_outcomes(result)
        when = now or utc_now(os.environ.get("COURSE_STUDY_NOW"))
        path = db_path()
        problem = record(path, lab.slug, outcomes, when)
        missed = [task for task, ok in sorted(outcomes.items()) if not ok]
        if out is not None and missed:
            for style, text in advice_lines(lab, missed, lab_cards(root, lab), study_args):
                # a card's line is cut at the terminal's edge, not wrapped
                cut = {"no_wrap": True, "overflow": "ellipsis"} if style == "cyan" else {}
                out.print(Text(text, style=style), **cut)
            if not problem:
                out.print(Text(f"Noted in {path}: the next 'course study' shows these cards first, "
                               "until a check passes the task.", style="dim"))
    except Exception as exc:  # noqa: BLE001  (whatever goes wrong here, the grade stands)
        problem = f"{type(exc).__name__}: {exc}"
    if problem:
        note = f"note: this check is not recorded for 'course study' ({problem}); the file was left as it was"
        if out is None:
            print(note, file=sys.stderr)
        else:
            out.print(Text(note, style="yellow"), soft_wrap=True)  # one line, however narrow the terminal
