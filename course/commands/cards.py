"""``course cards``: list, show, lint, lock and import cards."""

from __future__ import annotations

import json
from pathlib import Path

import click

from course.commands import common
from course.errors import CourseError


@click.group(cls=common.Group)
def cards() -> None:
    """Browse, check and convert the flashcards."""


@cards.command("list")
@click.option("--tag", "tags", multiple=True, help="Only cards with this hashtag (nested tags match too).")
@click.option("--lab", "labs", multiple=True, help="Only cards paired with this lab.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def list_cards(ctx, tags, labs, as_json):
    """List cards in course order."""
    chosen = common.select_cards(common.content(ctx), tuple(tags), tuple(labs))
    if as_json:
        click.echo(json.dumps([c.to_json() for c in chosen], indent=1))
        return
    for card in chosen:
        first = card.front.strip().split("\n")[0]
        click.echo(f"{card.id:<40} {card.type:<8} {card.lab or '-':<12} {first[:70]}")
    click.echo(common.plural(len(chosen), "card"), err=True)


@cards.command("show")
@click.argument("card_id")
@click.pass_context
def show(ctx, card_id):
    """Show one card: front, back, tags and where it lives."""
    from rich.panel import Panel

    for card in common.content(ctx).cards:
        if card.id == card_id:
            out = common.console()
            out.print(f"[bold]{card.id}[/bold]  {card.type}  lab: {card.lab or '-'}  {' '.join(card.tags)}")
            out.print(f"[dim]{card.path}:{card.line}  deck: {card.deck}[/dim]")
            out.print(Panel(common.terminal_markdown(card.front), title="front"))
            if card.back:
                out.print(Panel(common.terminal_markdown(card.back), title="back"))
            return
    raise CourseError(f"no card with id '{card_id}' (see 'course cards list')")


@cards.command("lint")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.pass_context
def lint(ctx, strict):
    """Check every card; errors exit non-zero. Prints file:line: message."""
    from course.cards.lint import lint_course

    course = common.content(ctx)
    findings = lint_course(course.cards, course.root, course.manifest)
    for finding in findings:
        click.echo(str(finding), err=not finding.error)
    errors = sum(f.error for f in findings)
    warnings = len(findings) - errors
    click.echo(f"{common.plural(len(course.cards), 'card')}: {common.plural(errors, 'error')}, "
               f"{common.plural(warnings, 'warning')}", err=True)
    ctx.exit(1 if errors or (strict and warnings) else 0)


@cards.command("lock")
@click.option("--check", is_flag=True, help="Exit 1 if the lock file is out of date, writing nothing.")
@click.pass_context
def lock_cmd(ctx, check):
    """Record content hashes and modification times in cards/cards.lock."""
    from course.cards import lock
    from course.cards.notes import build_notes

    course = common.content(ctx)
    notes = build_notes(course.cards, course.root, course.manifest.labs)
    entries, changed, old = lock.stamp_notes(course.root, notes)
    removed = sorted(set(old) - set(entries))
    if check:
        if changed or removed:
            click.echo(f"cards.lock is stale: {len(changed)} changed or new, {len(removed)} removed "
                       f"(e.g. {(changed + removed)[0]}); run 'course cards lock'", err=True)
            ctx.exit(1)
        click.echo("cards.lock is up to date", err=True)
        return
    lock.write_lock(course.root, entries)
    click.echo(f"cards.lock: {len(changed)} changed or new, {len(removed)} removed, "
               f"{common.plural(len(entries), 'entry', 'entries')}", err=True)


@cards.command("import")
@click.argument("source", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Card file to write (default: stdout).")
@click.option("--title", help="Deck title for the new file (default: from the source).")
@click.option("--lab", "lab_slug", help="Pair every imported card with this lab.")
def import_cmd(source, output, title, lab_slug):
    """Convert a Quizlet export (term TAB definition) or a hashtag study set to card Markdown."""
    from course.cards.importer import convert

    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CourseError(f"{path}: not UTF-8 text ({exc.reason})") from None
    markdown, count = convert(text, str(path), title=title, lab=lab_slug)
    if output:
        from course.files import atomic_write_bytes

        common.require_parent("-o/--output", Path(output))
        atomic_write_bytes(Path(output), markdown.encode("utf-8"))
        click.echo(f"{output}: {common.plural(count, 'card')}", err=True)
    else:
        click.echo(markdown, nl=False)
