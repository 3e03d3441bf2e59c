"""Benchmark: what closing the loop costs (issue 17).

Prints
  * the time `course lab check` spends after grading on the loop (recording the task outcomes
    in the review log, naming the failed tasks' cards), measured in a fresh interpreter so its
    imports count, for a check with a failed task and for one that passes, with an empty and
    with a 10,000-row review log; and whether it imported torch or matplotlib (it must not);
  * the start time of `course study` (to the first card, and --stats) with an empty review
    log and with 10,000 review rows.

    python benchmarks/loop.py [--rows 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_AFTER_CHECK = r"""
import io, json, sys, time
from pathlib import Path
from course.labs import variants
from course.content import content_root
from course.grading.grade import grade
from course.labs.manifest import load_manifest
from rich.console import Console

root = content_root()
lab = load_manifest(root).get("f1")
work = Path(sys.argv[1])
bug = [b for b in variants.bugs(lab) if b.name == "macro_of_means"][0]
source = variants.bug_source(lab, bug) if sys.argv[2] == "fail" else variants.reference_source(lab)
result = grade(lab, variants.write_variant(source, work, lab), sandbox_kind="none")
from course.commands.lab import print_result
print_result(result)  # what the check prints before the loop (it imports rich)
before = set(sys.modules)
start = time.perf_counter()
from course.cards.loop import after_check
after_check(root, lab, result, out=Console(file=io.StringIO(), width=100))
elapsed = time.perf_counter() - start
new = set(sys.modules) - before
print(json.dumps({"ms": 1000 * elapsed, "torch": "torch" in new, "matplotlib": "matplotlib" in new,
                  "modules": len(new)}))
"""


def _after_check(db: Path, outcome: str, repeat: int) -> tuple[float, dict]:
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "COURSE_STUDY_DB": str(db), "COURSE_SANDBOX": "none"}
        for _ in range(repeat):
            done = subprocess.run([sys.executable, "-c", _AFTER_CHECK, str(Path(tmp) / "f1"), outcome],
                                  capture_output=True, text=True, env=env, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return statistics.median(r["ms"] for r in runs), runs[-1]


def _fill(db: Path, rows: int) -> None:
    """``rows`` reviews spread over the course's cards, with real FSRS states, and task rows."""
    from fsrs import Card as FsrsCard
    from fsrs import Rating, Scheduler

    from course.cards.parse import load_cards
    from course.cards.study import ReviewLog, fsrs_id
    from course.content import content_root
    from course.labs.manifest import load_manifest

    root = content_root()
    cards = load_cards(root)
    log = ReviewLog(db)
    scheduler = Scheduler(enable_fuzzing=False)
    rng = random.Random(0)
    from datetime import datetime, timedelta, timezone

    when = datetime(2026, 1, 1, tzinfo=timezone.utc)
    states = {}
    batch = []
    for i in range(rows):
        card = cards[i % len(cards)]
        state = states.get(card.id) or FsrsCard(card_id=fsrs_id(card.id))
        when += timedelta(minutes=rng.randint(1, 30))
        state, _ = scheduler.review_card(state, Rating(rng.randint(1, 4)), review_datetime=when)
        states[card.id] = state
        batch.append((card.id, when.isoformat(), 3, json.dumps(state.to_dict())))
    with log.db:
        log.db.executemany("INSERT INTO reviews (card_id, reviewed_at, rating, fsrs_card) VALUES (?, ?, ?, ?)", batch)
    for lab in load_manifest(root).labs:
        for check in range(20):
            log.record_tasks(lab.slug, {t.number: rng.random() < 0.7 for t in lab.tasks}, when)
    log.close()


def _study(db: Path, args: list[str], repeat: int, stdin: str = "") -> float:
    env = {**os.environ, "COURSE_STUDY_DB": str(db), "COLUMNS": "100"}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "course", "study", *args], input=stdin, capture_output=True, text=True,
                       env=env, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        empty, full = Path(tmp) / "empty.sqlite3", Path(tmp) / "full.sqlite3"
        _fill(full, args.rows)
        print(f"`course lab check f1`: time spent on the loop after grading (median of {args.repeat}, "
              "fresh interpreter)")
        for label, db in (("empty log", empty), (f"{args.rows:,} review rows", full)):
            for outcome in ("fail", "pass"):
                ms, last = _after_check(db, outcome, args.repeat)
                what = "task 3 failed" if outcome == "fail" else "full marks"
                print(f"  {label:<20} {what:<14} {ms:6.1f} ms   imported {last['modules']} modules, "
                      f"torch: {last['torch']}, matplotlib: {last['matplotlib']}")
        empty.unlink(missing_ok=True)
        print(f"`course study` start (median of {args.repeat}, whole process)")
        for label, db in (("empty log", empty), (f"{args.rows:,} review rows", full)):
            first = _study(db, ["--new", "5"], args.repeat, stdin="q\n")
            stats = _study(db, ["--stats"], args.repeat)
            print(f"  {label:<20} to the first card and quit: {first:5.2f} s   --stats: {stats:5.2f} s")
            empty.unlink(missing_ok=True)
        count = sqlite3.connect(full).execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
        print(f"  (the full log holds {count:,} review rows)")


if __name__ == "__main__":
    main()
