"""``course dev``: the course author's commands (selfcheck, figures, mutate), apart from the
student's ``course lab``. The old spellings ``course lab selfcheck|figures|mutate`` still work
for one release: hidden, they print a note on stderr and run the same command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from course.commands import common
from course.labs.mutate import mutate_cmd

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
    from course.labs.selfcheck import selfcheck

    manifest = common.manifest(ctx)
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
    from course.labs.figures import draw_figures

    manifest = common.manifest(ctx)
    target = Path(out_dir) if out_dir else common.root(ctx) / "cards" / "images"
    target.mkdir(parents=True, exist_ok=True)
    for slug in slugs or manifest.slugs:
        for line in draw_figures(manifest.get(slug), target):
            click.echo(line)


dev.add_command(mutate_cmd)


def old_spelling(command: click.Command) -> click.Command:
    """``course lab NAME``: hidden, a note on stderr, then ``course dev NAME``."""

    @click.pass_context
    def forward(ctx, **kwargs):
        click.echo(f"note: 'course lab {command.name}' is now 'course dev {command.name}'", err=True)
        return ctx.invoke(command, **kwargs)

    return click.Command(command.name, params=list(command.params), callback=forward, hidden=True,
                         help=command.help)


ALIASES = [old_spelling(cmd) for cmd in (selfcheck_cmd, figures, mutate_cmd)]
