"""``course study``: review the cards in the terminal, scheduled by FSRS."""

from __future__ import annotations

import os
from pathlib import Path

import click

from course.commands import common

RATINGS = {"1": "again", "2": "hard", "3": "good", "4": "easy"}


@click.command()
@click.option("--tag", "tags", multiple=True, help="Only cards with this hashtag.")
@click.option("--lab", "labs", multiple=True, help="Only cards paired with this lab.")
@click.option("--new", "new_per_day", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="New cards introduced per day.")
@click.option("--db", type=click.Path(dir_okay=False), envvar="COURSE_STUDY_DB",
              help="Review log (SQLite). Default: in your user data folder.")
@click.option("--stats", is_flag=True, help="Show what is due and stop.")
@click.pass_context
def study(ctx, tags, labs, new_per_day, db, stats):
    """Study the cards in the terminal (Enter shows the answer; rate 1-4, q quits)."""
    from rich.panel import Panel

    from course import study as st
    from course.export_anki import select

    cards = select(common.load_all_cards(ctx), tuple(tags), tuple(labs))
    now = st.utc_now(os.environ.get("COURSE_STUDY_NOW"))
    import sqlite3

    from course.errors import CourseError

    db_path = Path(db) if db else st.default_db()
    try:
        log = st.ReviewLog(db_path)
    except (sqlite3.Error, OSError) as exc:
        raise CourseError(f"--db: cannot open the review log {db_path} ({exc})") from None
    out = common.console()
    try:
        queue = st.build_queue(cards, log, now, new_per_day)
        if stats:
            out.print(f"due now: {len(queue.due)}  new today: {len(queue.new)}  reviews logged: {log.count()}  ({log.path})")
            return
        if not queue.cards:
            out.print("Nothing due. Come back later, or raise --new.")
            return
        done = 0
        for card in queue.cards:
            cloze = card.type == "cloze"
            front = st.cloze_front(card.front) if cloze else card.front
            out.print(Panel(common.terminal_markdown(front), title=f"{card.deck}  [dim]{card.id}[/dim]"))
            if click.prompt("", default="", show_default=False, prompt_suffix="[Enter] answer, q quit ").strip().lower() == "q":
                break
            back = st.cloze_back(card.front) + ("\n\n" + card.back if card.back else "") if cloze else card.back
            out.print(Panel(common.terminal_markdown(back), title="answer"))
            choice = click.prompt("rate 1 again, 2 hard, 3 good, 4 easy, q quit",
                                  type=click.Choice([*RATINGS, "q"]), show_choices=False)
            if choice == "q":
                break
            due = st.review(log, card, int(choice), now)
            done += 1
            out.print(f"[dim]{RATINGS[choice]}: next review {due:%Y-%m-%d %H:%M} UTC[/dim]\n")
        out.print(f"Reviewed {done} cards.")
    finally:
        log.close()
