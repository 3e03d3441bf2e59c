"""Studying in the terminal: FSRS scheduling with an append-only SQLite review log.

Each review is one row (card id, time, rating, the card's FSRS state after it), written in
its own transaction, so a crash loses at most the review being answered. Cards are known by
their stable id, never by content, so fixing a typo keeps a card's progress.

The same log holds lab task outcomes from ``course lab check`` (a row for each failed task,
and for each task passed after a failure; also append-only): a task whose latest outcome is
a failure brings the cards that teach it to the front of the next session, until a check
passes it.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `course lab check` records task outcomes here without the card parser
    from course.cards.parse import Card

SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY,
    card_id TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    rating INTEGER NOT NULL,
    fsrs_card TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_by_card ON reviews (card_id, id);
CREATE TABLE IF NOT EXISTS task_results (
    id INTEGER PRIMARY KEY,
    lab TEXT NOT NULL,
    task INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    checked_at TEXT NOT NULL
);
"""
_CLOZE_RE = re.compile(r"\{\{c\d+::(.*?)\}\}", re.S)


def default_db() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("mmd-course", appauthor=False)) / "reviews.sqlite3"


def fsrs_id(card_id: str) -> int:
    return int(hashlib.sha256(card_id.encode()).hexdigest()[:12], 16)


def cloze_front(text: str) -> str:
    return _CLOZE_RE.sub("**[...]**", text)


def cloze_back(text: str) -> str:
    return _CLOZE_RE.sub(lambda m: f"**{m.group(1).strip()}**", text)


@dataclass
class Queue:
    due: list[Card]
    new: list[Card]
    new_per_day: int = 0
    introduced_today: int = 0  # new cards first reviewed today (UTC), in any session
    unseen: int = 0  # cards never reviewed, whether or not today's allowance lets them in
    missed: list[Card] = field(default_factory=list)  # cards of failed lab tasks, first
    reasons: dict[str, str] = field(default_factory=dict)  # card id -> why it comes first
    rest: list[Card] = field(default_factory=list)  # not due yet (only when asked for every card)

    @property
    def cards(self) -> list[Card]:
        return self.missed + self.due + self.new + self.rest


class Clock:
    """The time at which each review is rated.

    ``override`` (``COURSE_STUDY_NOW``) fixes the session's start; reviews are then stamped
    that moment plus the real time elapsed since, so they stay apart as FSRS expects.
    """

    def __init__(self, override: str | None = None):
        self.override = override
        self.start = utc_now(override)
        self.started = time.monotonic()

    def now(self) -> datetime:
        if not self.override:
            return utc_now()
        return self.start + timedelta(seconds=time.monotonic() - self.started)


class ReviewLog:
    def __init__(self, path: Path, timeout: float = 2.0):
        """Open (or create) the log. A file that is not a review log, or one locked for longer
        than ``timeout`` seconds, raises sqlite3.Error and is left exactly as it was."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=timeout)
        try:
            self.db.executescript(SCHEMA)
        except BaseException:
            self.db.close()
            raise

    def close(self) -> None:
        self.db.close()

    def latest(self) -> dict[str, dict]:
        """The FSRS state after the last review of every reviewed card."""
        rows = self.db.execute(
            "SELECT card_id, fsrs_card FROM reviews WHERE id IN (SELECT MAX(id) FROM reviews GROUP BY card_id)"
        )
        return {card_id: json.loads(state) for card_id, state in rows}

    def first_reviews_on(self, day: str) -> int:
        """Cards whose first review happened on ``day`` (YYYY-MM-DD, UTC): new cards introduced."""
        return self.db.execute(
            "SELECT COUNT(*) FROM (SELECT card_id, MIN(reviewed_at) AS first FROM reviews GROUP BY card_id) "
            "WHERE substr(first, 1, 10) = ?",
            (day,),
        ).fetchone()[0]

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]

    def record(self, card_id: str, when: datetime, rating: int, state: dict) -> None:
        with self.db:  # one transaction per review
            self.db.execute(
                "INSERT INTO reviews (card_id, reviewed_at, rating, fsrs_card) VALUES (?, ?, ?, ?)",
                (card_id, when.isoformat(), rating, json.dumps(state)),
            )


    def record_tasks(self, lab: str, outcomes: dict[int, bool], when: datetime) -> None:
        """One row per given task of one check (True: passed), in one transaction."""
        with self.db:
            self.db.executemany(
                "INSERT INTO task_results (lab, task, passed, checked_at) VALUES (?, ?, ?, ?)",
                [(lab, task, int(passed), when.isoformat()) for task, passed in sorted(outcomes.items())],
            )

    def missed_tasks(self) -> dict[tuple[str, int], datetime]:
        """(lab, task) -> when it was last missed, for each task whose latest outcome is a failure."""
        rows = self.db.execute(
            "SELECT lab, task, passed, checked_at FROM task_results "
            "WHERE id IN (SELECT MAX(id) FROM task_results GROUP BY lab, task)"
        )
        return {(lab, int(task)): datetime.fromisoformat(at) for lab, task, passed, at in rows if not passed}


def build_queue(cards: list[Card], log: ReviewLog, now: datetime, new_per_day: int,
                missed: dict[str, str] | None = None, every_card: bool = False) -> Queue:
    """Cards of missed lab tasks first (``missed``: card id -> reason, in order), then the due
    cards, then today's new ones; with ``every_card``, also the rest (no new-card limit)."""
    missed = missed or {}
    states = log.latest()
    due, rest = [], []
    for card in cards:
        state = states.get(card.id)
        if card.id in missed:
            continue
        if state and datetime.fromisoformat(state["due"]) <= now:
            due.append((state["due"], card))
        elif state:
            rest.append((state["due"], card))
    due.sort(key=lambda pair: pair[0])
    rest.sort(key=lambda pair: pair[0])
    introduced = log.first_reviews_on(now.date().isoformat())
    unseen = [c for c in cards if c.id not in states and c.id not in missed]
    new = unseen if every_card else unseen[: max(0, new_per_day - introduced)]
    by_id = {c.id: c for c in cards}
    first = [by_id[i] for i in missed if i in by_id]
    return Queue([c for _, c in due], new, new_per_day, introduced, len(unseen), first,
                 {c.id: missed[c.id] for c in first}, [c for _, c in rest] if every_card else [])


def review(log: ReviewLog, card: Card, rating: int, now: datetime, desired_retention: float = 0.9) -> datetime:
    """Schedule ``card`` after ``rating`` (1 again .. 4 easy); returns the next due time."""
    from fsrs import Card as FsrsCard
    from fsrs import Rating, Scheduler

    state = log.latest().get(card.id)
    current = FsrsCard.from_dict(state) if state else FsrsCard(card_id=fsrs_id(card.id))
    scheduler = Scheduler(desired_retention=desired_retention, enable_fuzzing=False)
    updated, _ = scheduler.review_card(current, Rating(rating), review_datetime=now)
    log.record(card.id, now, rating, updated.to_dict())
    return updated.due


def utc_now(override: str | None = None) -> datetime:
    if override:
        moment = datetime.fromisoformat(override)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)
