"""Studying in the terminal: FSRS scheduling with an append-only SQLite review log.

Each review is one row (card id, time, rating, the card's FSRS state after it), written in
its own transaction, so a crash loses at most the review being answered. Cards are known by
their stable id, never by content, so fixing a typo keeps a card's progress.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from course.cards import Card

SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY,
    card_id TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    rating INTEGER NOT NULL,
    fsrs_card TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_by_card ON reviews (card_id, id);
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

    @property
    def cards(self) -> list[Card]:
        return self.due + self.new


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
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.executescript(SCHEMA)

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


def build_queue(cards: list[Card], log: ReviewLog, now: datetime, new_per_day: int) -> Queue:
    states = log.latest()
    due = []
    for card in cards:
        state = states.get(card.id)
        if state and datetime.fromisoformat(state["due"]) <= now:
            due.append((state["due"], card))
    due.sort(key=lambda pair: pair[0])
    introduced = log.first_reviews_on(now.date().isoformat())
    unseen = [c for c in cards if c.id not in states]
    new = unseen[: max(0, new_per_day - introduced)]
    return Queue([c for _, c in due], new, new_per_day, introduced, len(unseen))


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
