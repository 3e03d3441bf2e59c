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
@click.option("--task", "tasks", multiple=True, type=click.IntRange(1), metavar="N",
              help="With one --lab: only the cards that teach task N (all of them now, due or not).")
@click.option("--new", "new_per_day", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="New cards per day: those introduced earlier today count against it.")
@click.option("--db", type=click.Path(dir_okay=False), envvar="COURSE_STUDY_DB",
              help="Review log (SQLite). Default: in your user data folder.")
@click.option("--stats", is_flag=True, help="Show what is due (with the same --new limit) and stop.")
@click.pass_context
def study(ctx, tags, labs, tasks, new_per_day, db, stats):
    """Study the cards in the terminal (Enter shows the answer; rate 1-4).

    Cards that teach a lab task you failed in your last `course lab check` of it come first,
    with the reason, until a check passes the task.

    q, Ctrl-C or the end of input ends the session: every rated card is already saved, the
    summary says how many, and the exit status is 0.
    """
    import sqlite3

    from rich.panel import Panel
    from rich.text import Text

    from course.cards import study as st
    from course.errors import CourseError

    if tasks and len(labs) != 1:
        raise CourseError("--task: give exactly one --lab with it (course study --lab LAB --task N)")
    course = common.content(ctx)
    cards = common.select_cards(course, tuple(tags), tuple(labs))
    labs_ = course.manifest.labs
    if tasks:
        lab_ = course.manifest.get(labs[0])
        wanted = {card_id for number in dict.fromkeys(tasks) for card_id in lab_.task(number).cards}
        cards = [c for c in cards if c.id in wanted]
    if not cards:
        raise CourseError(f"no cards match the --tag/--lab{'/--task' if tasks else ''} filters")
    clock = st.Clock(os.environ.get("COURSE_STUDY_NOW"))

    db_path = Path(db) if db else st.default_db()
    try:
        log = st.ReviewLog(db_path)
    except (sqlite3.Error, OSError) as exc:
        raise CourseError(f"--db: cannot open the review log {db_path} ({exc}); it was left as it was") from None
    out = common.console()
    try:
        try:
            from course.cards.loop import missed_cards

            now = clock.now()
            missed = missed_cards(log.missed_tasks(), labs_, now)
            queue = st.build_queue(cards, log, now, new_per_day, missed, every_card=bool(tasks))
        except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
            raise CourseError(f"--db: the review log {db_path} is damaged ({exc}); it was left as it was") from None
        if stats:
            click.echo(f"due now: {len(queue.due)}  new left today: {len(queue.new)} "
                      f"({queue.introduced_today} introduced today, --new {new_per_day} per day; "
                      f"{queue.unseen} never seen)  reviews logged: {log.count()}  ({log.path})")
            if queue.missed:
                click.echo(f"first, for failed lab tasks: {common.plural(len(queue.missed), 'card')} "
                           f"({'; '.join(dict.fromkeys(queue.reasons.values()))})")
            return
        if not queue.cards:
            click.echo(_nothing_due(queue))
            return
        before = log.count()
        try:
            for card in queue.cards:
                cloze = card.type == "cloze"
                front = st.cloze_front(card.front) if cloze else card.front
                if card.id in queue.reasons:
                    out.print(Text(queue.reasons[card.id], style="yellow"))
                out.print(Panel(common.terminal_markdown(front), title=f"{card.deck}  [dim]{card.id}[/dim]"))
                shown = _ask("", default="", show_default=False, prompt_suffix="[Enter] answer, q quit ")
                if shown.strip().lower() == "q":
                    break
                back = st.cloze_back(card.front) + ("\n\n" + card.back if card.back else "") if cloze else card.back
                out.print(Panel(common.terminal_markdown(back), title="answer"))
                choice = _ask("rate 1 again, 2 hard, 3 good, 4 easy, q quit",
                              type=click.Choice([*RATINGS, "q"]), show_choices=False)
                if choice == "q":
                    break
                try:
                    due = st.review(log, card, int(choice), clock.now())  # stamped when rated
                except sqlite3.Error as exc:
                    raise CourseError(f"--db: cannot save the review in {db_path} ({exc}); the reviews before it "
                                      "are saved") from None
                out.print(f"[dim]{RATINGS[choice]}: next review {due:%Y-%m-%d %H:%M} UTC[/dim]\n")
        except (_SessionEnd, KeyboardInterrupt):
            pass
        saved = log.count() - before  # what the log holds, even if Ctrl-C came mid-review
        click.echo(f"Reviewed {common.plural(saved, 'card')}, saved in {log.path}.")
    finally:
        log.close()
