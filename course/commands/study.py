"""``course study``: review the cards in the terminal, scheduled by FSRS."""

from __future__ import annotations

import os
from pathlib import Path

import click

from course.commands import common

RATINGS = {"1": "again", "2": "hard", "3": "good", "4": "easy"}


class _SessionEnd(Exception):
    """q, end of input or Ctrl-C at a prompt: the session ends normally."""


def _ask(text: str, **kwargs) -> str:
    try:
        return click.prompt(text, **kwargs)
    except (click.Abort, EOFError, KeyboardInterrupt):
        click.echo()
        raise _SessionEnd from None


def _nothing_due(queue) -> str:
    if not queue.unseen:
        return "Nothing due, and every card has been introduced. Come back later."
    waiting = common.plural(queue.unseen, "new card")
    if queue.new_per_day == 0:
        return f"Nothing due. {waiting} wait, and --new 0 introduces none today."
    return (f"Nothing due. Today's new cards are used up: {queue.introduced_today} introduced today, "
            f"--new {queue.new_per_day} per day; {waiting} wait. Come back tomorrow, or raise --new above "
            f"{queue.introduced_today} for more today.")


@click.command()
@click.option("--tag", "tags", multiple=True, help="Only cards with this hashtag.")
@click.option("--lab", "labs", multiple=True, help="Only cards paired with this lab.")
@click.option("--new", "new_per_day", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="New cards per day: those introduced earlier today count against it.")
@click.option("--db", type=click.Path(dir_okay=False), envvar="COURSE_STUDY_DB",
              help="Review log (SQLite). Default: in your user data folder.")
@click.option("--stats", is_flag=True, help="Show what is due (with the same --new limit) and stop.")
@click.pass_context
def study(ctx, tags, labs, new_per_day, db, stats):
    """Study the cards in the terminal (Enter shows the answer; rate 1-4).

    q, Ctrl-C or the end of input ends the session: every rated card is already saved, the
    summary says how many, and the exit status is 0.
    """
    from rich.panel import Panel

    from course import study as st

    import sqlite3

    from course.errors import CourseError

    _, cards = common.select_cards(ctx, tuple(tags), tuple(labs))
    if not cards:
        raise CourseError("no cards match the --tag/--lab filters")
    clock = st.Clock(os.environ.get("COURSE_STUDY_NOW"))

    db_path = Path(db) if db else st.default_db()
    try:
        log = st.ReviewLog(db_path)
    except (sqlite3.Error, OSError) as exc:
        raise CourseError(f"--db: cannot open the review log {db_path} ({exc})") from None
    out = common.console()
    try:
        queue = st.build_queue(cards, log, clock.now(), new_per_day)
        if stats:
            click.echo(f"due now: {len(queue.due)}  new left today: {len(queue.new)} "
                      f"({queue.introduced_today} introduced today, --new {new_per_day} per day; "
                      f"{queue.unseen} never seen)  reviews logged: {log.count()}  ({log.path})")
            return
        if not queue.cards:
            click.echo(_nothing_due(queue))
            return
        before = log.count()
        try:
            for card in queue.cards:
                cloze = card.type == "cloze"
                front = st.cloze_front(card.front) if cloze else card.front
                out.print(Panel(common.terminal_markdown(front), title=f"{card.deck}  [dim]{card.id}[/dim]"))
                if _ask("", default="", show_default=False, prompt_suffix="[Enter] answer, q quit ").strip().lower() == "q":
                    break
                back = st.cloze_back(card.front) + ("\n\n" + card.back if card.back else "") if cloze else card.back
                out.print(Panel(common.terminal_markdown(back), title="answer"))
                choice = _ask("rate 1 again, 2 hard, 3 good, 4 easy, q quit",
                              type=click.Choice([*RATINGS, "q"]), show_choices=False)
                if choice == "q":
                    break
                due = st.review(log, card, int(choice), clock.now())  # stamped when rated
                out.print(f"[dim]{RATINGS[choice]}: next review {due:%Y-%m-%d %H:%M} UTC[/dim]\n")
        except (_SessionEnd, KeyboardInterrupt):
            pass
        saved = log.count() - before  # what the log holds, even if Ctrl-C came mid-review
        click.echo(f"Reviewed {common.plural(saved, 'card')}, saved in {log.path}.")
    finally:
        log.close()
