"""``course export anki``: build the Anki package."""

from __future__ import annotations

from pathlib import Path

import click

from course.commands import common
from course.errors import CourseError


@click.group(cls=common.Group)
def export() -> None:
    """Export the cards."""


@export.command("anki")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="model-monitoring-and-debugging.apkg",
              show_default=True, help="The .apkg file to write.")
@click.option("--tag", "tags", multiple=True, help="Only cards with this hashtag (repeatable).")
@click.option("--lab", "labs", multiple=True, help="Only cards paired with this lab (repeatable).")
@click.option("--update-lock", is_flag=True, help="Also record changed cards in cards/cards.lock.")
@click.pass_context
def anki(ctx, output, tags, labs, update_lock):
    """Write an Anki deck: one subdeck per lab or topic, tags from hashtags.

    Re-importing an updated deck updates edited notes in place and keeps all reviews.
    """
    from course.cards.export import export as do_export
    from course.cards.lint import lint_course

    course = common.content(ctx)
    common.require_parent("-o/--output", Path(output))
    chosen = common.select_cards(course, tuple(tags), tuple(labs))
    errors = [f for f in lint_course(course.cards, course.root, course.manifest, warnings=False) if f.error]
    if errors:
        raise CourseError(f"{errors[0]} ({common.plural(len(errors), 'lint error')}; see 'course cards lint')")
    if not chosen:
        raise CourseError("no cards match the --tag/--lab filters")
    try:
        summary = do_export(course.root, chosen, Path(output), labs=course.manifest.labs, update_lock=update_lock)
    except OSError as exc:
        raise CourseError(f"-o/--output: cannot write {output} ({exc.strerror or exc})") from None
    click.echo(
        f"wrote {summary['out']}: {common.plural(summary['notes'], 'note')}, "
        f"{common.plural(summary['decks'], 'subdeck')}, {common.plural(summary['media'], 'media file')}"
        + (f"; {len(summary['changed'])} edited since cards.lock" if summary["changed"] else "")
    )
