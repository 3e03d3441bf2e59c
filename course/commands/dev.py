"""``course dev``: the course author's commands (selfcheck, figures, mutate), apart from the
student's ``course lab``. The old spellings ``course lab selfcheck|figures|mutate`` still work
for one release: hidden, they print a note on stderr and run the same command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from course.commands import common

_SANDBOX = click.option("--sandbox", type=click.Choice(["auto", "bwrap", "none"]), default=None)


@click.group(cls=common.Group)
def dev() -> None:
    """Course authors: selfcheck, figures, mutate."""


@dev.command("selfcheck")
@click.argument("slugs", nargs=-1)
@_SANDBOX
@click.pass_context
def selfcheck_cmd(ctx, slugs, sandbox):
    """The reference scores full marks, the stub 0, every planted bug loses points."""
    from course.authoring.selfcheck import selfcheck

    manifest = common.content(ctx).manifest
    failed = False
    for slug in slugs or manifest.slugs:
        lab_ = manifest.get(slug)
        report = selfcheck(lab_, sandbox)
        click.echo(
            f"{slug}: reference {report.reference.score:g}/{report.reference.max_score:g} "
            f"({report.reference.seconds:.1f} s), stub {report.stub.score:g}, "
            f"{common.plural(len(report.bugs), 'planted bug')}, sandbox {report.reference.sandbox}"
        )
        for name, res in report.bugs.items():
            click.echo(f"  bug {name}: fails {sum(not r.passed for r in res.results)}/{len(res.results)} of its tests")
        for problem in report.problems:
            click.echo(f"  PROBLEM: {problem}")
        for gap in report.coverage_gaps:
            click.echo(f"  spec coverage gap: {gap}")
        failed |= bool(report.problems)
    sys.exit(1 if failed else 0)


@dev.command("figures")
@click.argument("slugs", nargs=-1)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Where to write the PNGs (default: the course's cards/images).")
@click.pass_context
def figures(ctx, slugs, out_dir):
    """Draw each lab's figures from its reference solution (for the cards)."""
    from course.authoring.figures import draw_figures

    course = common.content(ctx)
    manifest = course.manifest
    target = Path(out_dir) if out_dir else course.root / "cards" / "images"
    target.mkdir(parents=True, exist_ok=True)
    for slug in slugs or manifest.slugs:
        for line in draw_figures(manifest.get(slug), target):
            click.echo(line)


@dev.command("mutate")
@click.argument("slugs", nargs=-1)
@click.option("--sample", type=int, default=None, help="Grade a seeded sample of this many mutants per lab.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--task", type=int, default=None, help="Only mutants inside this task's section.")
@click.option("--workers", type=int, default=2, show_default=True)
@click.option("--list", "list_only", is_flag=True, help="List the mutants' ids without grading them.")
@click.option("--engine", type=click.Choice(["fast", "grader"]), default="fast", show_default=True,
              help="fast: the same probes and checks in forked children; grader: the real grader per mutant.")
@click.option("--sandbox", type=click.Choice(["auto", "bwrap", "none"]), default="none", show_default=True,
              help="The grader engine's sandbox.")
@click.option("--hidden-only", "hidden_only", is_flag=True,
              help="Also list the mutants that only hidden tests kill (candidates for public tests).")
@click.option("--save-bug", "save_bug", nargs=2, metavar="ID NAME", default=None,
              help="Write mutant ID of the one lab given as the planted bug bugs/NAME.py.")
@click.pass_context
def mutate_cmd(ctx, slugs, sample, seed, task, workers, list_only, engine, sandbox, hidden_only, save_bug):
    """Mutation score of a lab's graded tests (per lab and task), and the survivors."""
    from course.authoring.mutate import format_report, mutants, run, save_mutant_as_bug

    manifest = common.content(ctx).manifest
    if save_bug:
        if len(slugs) != 1:
            raise click.UsageError("--save-bug needs exactly one lab")
        path, caught = save_mutant_as_bug(manifest.get(slugs[0]), *save_bug)
        click.echo(f"wrote {path} (CAUGHT_BY {caught})")
        if not caught:
            click.echo("no graded test kills this mutant: name the test you add for it in CAUGHT_BY", err=True)
        return
    failed = False
    for slug in slugs or manifest.slugs:
        lab_ = manifest.get(slug)
        if list_only:
            for m in mutants(lab_.solution_file.read_text(encoding="utf-8")):
                if task is None or m.task == task:
                    click.echo(f"{slug}: task {m.task}: {m.id}")
            continue
        report = run(lab_, sample=sample, seed=seed, workers=workers, task=task, engine=engine, sandbox_kind=sandbox)
        for line in format_report(report, show_hidden_only=hidden_only):
            click.echo(line)
        failed |= bool(report.survivors()) or bool(report.unknown_equivalent)
    sys.exit(1 if failed else 0)


def old_spelling(command: click.Command) -> click.Command:
    """``course lab NAME``: hidden, a note on stderr, then ``course dev NAME``."""

    @click.pass_context
    def forward(ctx, **kwargs):
        click.echo(f"note: 'course lab {command.name}' is now 'course dev {command.name}'", err=True)
        return ctx.invoke(command, **kwargs)

    return click.Command(command.name, params=list(command.params), callback=forward, hidden=True,
                         help=command.help)


ALIASES = [old_spelling(cmd) for cmd in (selfcheck_cmd, figures, mutate_cmd)]
