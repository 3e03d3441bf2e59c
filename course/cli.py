"""The ``course`` command line (click). Heavy modules are imported inside commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from course.errors import CourseError


class _Group(click.Group):
    """Turns CourseError into one line on stderr and exit status 2, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CourseError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


def _root(ctx: click.Context) -> Path:
    from course.content import content_root

    return content_root(ctx.find_root().params.get("course_dir"))


def _manifest(ctx: click.Context):
    from course.manifest import load_manifest

    return load_manifest(_root(ctx))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--course-dir", type=click.Path(file_okay=False), envvar="COURSE_DIR",
              help="Course content to use (a folder with cards/ and labs/); default: the built-in course.")
@click.version_option(package_name="mmd-course", prog_name="course")
def main(course_dir: str | None) -> None:
    """Model Monitoring and Debugging: flashcards, Anki decks and autograded labs."""


@main.group(cls=_Group)
def lab() -> None:
    """Student commands: start, check and get hints for labs."""


@lab.command("selfcheck")
@click.argument("slugs", nargs=-1)
@click.option("--sandbox", type=click.Choice(["auto", "bwrap", "none"]), default=None)
@click.pass_context
def lab_selfcheck(ctx, slugs, sandbox):
    """Authors: the reference scores full marks, the stub 0, every planted bug loses points."""
    from course.selfcheck import selfcheck

    manifest = _manifest(ctx)
    failed = False
    for slug in slugs or manifest.slugs:
        lab_ = manifest.get(slug)
        report = selfcheck(lab_, sandbox)
        click.echo(
            f"{slug}: reference {report.reference.score:g}/{report.reference.max_score:g} "
            f"({report.reference.seconds:.1f} s), stub {report.stub.score:g}, "
            f"{len(report.bugs)} planted bugs, sandbox {report.reference.sandbox}"
        )
        for name, res in report.bugs.items():
            click.echo(f"  bug {name}: fails {sum(not r.passed for r in res.results)}/{len(res.results)} of its tests")
        for problem in report.problems:
            click.echo(f"  PROBLEM: {problem}")
        failed |= bool(report.problems)
    sys.exit(1 if failed else 0)
