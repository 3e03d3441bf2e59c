"""``course lab``: the student's commands (list, start, check, hint, solution, watch)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from course.commands import common
from course.errors import CourseError
from course.labs.workspace import DEFAULT_ROOT, read_status, record_status, workspace

_dir_option = click.option("--dir", "work_root", type=click.Path(file_okay=False), default=DEFAULT_ROOT,
                           show_default=True, help="Folder that holds your lab workspaces.")


@click.group(cls=common.Group)
def lab() -> None:
    """Student commands: list, start, check, hint, solution, watch."""


# --- commands ----------------------------------------------------------------------------

@lab.command("list")
@_dir_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_labs(ctx, work_root, as_json):
    """The labs in course order, with your status and last score."""
    manifest = common.content(ctx).manifest
    status = read_status(Path(work_root))
    rows = []
    for lab_ in manifest.labs:
        entry = status.get(lab_.slug, {})
        started = (workspace(work_root, lab_.slug) / f"{lab_.slug}.py").is_file()
        state = "passed" if entry.get("passed") else "in progress" if started else "not started"
        score = f"{entry['score']:g}/{entry['max_score']:g}" if "score" in entry else "-"
        rows.append({"order": lab_.order, "slug": lab_.slug, "title": lab_.title, "status": state,
                     "last_score": entry.get("score"), "max_score": lab_.max_points})
        rows[-1]["_score"] = score
    if as_json:
        click.echo(json.dumps([{k: v for k, v in r.items() if not k.startswith("_")} for r in rows], indent=1))
        return
    from rich.table import Table

    table = Table(title="Labs")
    for column in ("#", "lab", "title", "status", "last score"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["order"]), r["slug"], r["title"], r["status"], r["_score"])
    common.console().print(table)


@lab.command("start")
@click.argument("slug")
@_dir_option
@click.option("--force", is_flag=True, help="Overwrite a lab you already started (your work is lost).")
@click.pass_context
def start(ctx, slug, work_root, force):
    """Create WORK_ROOT/SLUG/ with the lesson, your stub and the public tests."""
    from course.content import package_dir

    course = common.content(ctx)
    lab_ = course.manifest.get(slug)
    target = workspace(work_root, slug)
    content = course.root.resolve()
    for protected in (content / "labs", content / "cards", package_dir()):
        if target == protected or protected in target.parents:
            raise CourseError(f"--dir: {target} is inside the course's own files ({protected}); choose another folder")
    stub_path = target / f"{slug}.py"
    if stub_path.exists() and not force:
        raise CourseError(f"{stub_path} exists: you already started this lab (use --force to start over)")
    from course.files import atomic_write_bytes
    from course.labs.variants import student_files

    # The stub last: its presence is what marks the lab as started.
    for name, text in sorted(student_files(lab_).items(), key=lambda item: item[0] == stub_path.name):
        atomic_write_bytes(target / name, text.encode("utf-8"))
    click.echo(f"Started {lab_.title} in {target}")
    click.echo(f"  read    {target / 'README.md'}")
    click.echo(f"  edit    {stub_path}")
    click.echo(f"  check   course lab check {slug}" + ("" if work_root == DEFAULT_ROOT else f" --dir {work_root}"))
    click.echo(f"  stuck?  course lab hint {slug} 1")


def _terminal_renderer() -> None:
    """What the student's table needs (rich: about 60 ms of imports)."""
    import rich.console  # noqa: F401
    import rich.table  # noqa: F401
    import rich.text  # noqa: F401

    from course.grading import report  # noqa: F401


def print_result(result, *, verbose: bool = True) -> None:
    """The student's report (see :func:`course.grading.report.terminal`)."""
    from course.grading import report

    report.terminal(result, common.console(), verbose=verbose)


@lab.command("check")
@click.argument("slug")
@_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print Gradescope-style results.json.")
@click.option("--reference", is_flag=True, help="Grade the reference solution instead (authors).")
@click.option("--sandbox", type=click.Choice(["auto", "bwrap", "none"]), default=None,
              help="Sandbox for your code (default: bubblewrap where it works).")
@click.pass_context
def check(ctx, slug, work_root, as_json, reference, sandbox):
    """Grade your workspace: every test, points and feedback. Exit 0 only at full marks."""
    import tempfile

    from course.grading.grade import grade
    from course.labs import variants

    course = common.content(ctx)
    lab_ = course.manifest.get(slug)
    meanwhile = None if as_json else _terminal_renderer  # loads while the child runs, not after it
    if reference:
        with tempfile.TemporaryDirectory() as tmp:
            path = variants.write_variant(variants.reference_source(lab_), Path(tmp), lab_)
            result = grade(lab_, path, sandbox_kind=sandbox, meanwhile=meanwhile)
    else:
        path = workspace(work_root, slug) / f"{slug}.py"
        if not path.is_file():
            raise CourseError(f"{path} not found: run 'course lab start {slug}' first")
        result = grade(lab_, path, sandbox_kind=sandbox, meanwhile=meanwhile)
        record_status(path.parent.parent, slug, result.score, result.max_score)
    if as_json:
        from course.grading import report

        click.echo(json.dumps(report.gradescope(result), indent=1))
    else:
        print_result(result)
    if not reference:  # the failed tasks' cards, and a note for `course study`; never changes the grade
        from course.cards.loop import after_check

        course_dir = ctx.meta.get("course_dir") or ctx.find_root().params.get("course_dir")
        after_check(course.root, lab_, result, out=None if as_json else common.console(),
                    study_args=f" --course-dir {course_dir}" if course_dir else "")
    ctx.exit(0 if result.full_marks else 1)


@lab.command("hint")
@click.argument("slug")
@click.argument("task", type=int, required=False)
@click.pass_context
def hint(ctx, slug, task):
    """Hints for a task (or the list of tasks)."""
    from course.labs.hints import hints_for

    lab_ = common.content(ctx).manifest.get(slug)
    if task is None:
        for t in lab_.tasks:
            click.echo(f"Task {t.number}: {t.title} ({t.points:g} points)")
        click.echo(f"\nShow hints with: course lab hint {slug} N")
        return
    lab_.task(task)
    from rich.markdown import Markdown

    common.console().print(Markdown(hints_for(lab_, task)))


@lab.command("solution")
@click.argument("slug")
@_dir_option
@click.option("--force", is_flag=True, help="Show it even though you have not passed the lab.")
@click.pass_context
def solution(ctx, slug, work_root, force):
    """The reference solution, once you have passed the lab (or with --force)."""
    from course.labs import variants

    manifest = common.content(ctx).manifest
    lab_ = manifest.get(slug)
    if (manifest.student_edition or not lab_.solution_file.is_file()
            or lab_.solution_file.read_text(encoding="utf-8").startswith(variants.STUB_MARK)):
        raise CourseError(f"lab {slug}: this is the student edition of the course, which ships without "
                          "solutions (your instructor has them)")
    if not force and not read_status(workspace(work_root, slug).parent).get(slug, {}).get("passed"):
        raise CourseError(f"lab {slug} is not passed yet: finish it first, or use --force")
    click.echo(variants.reference_source(lab_), nl=False)


@lab.command("watch")
@click.argument("slug")
@_dir_option
@click.option("--interval", type=float, default=0.5, show_default=True,
              help="Seconds between looks at the file (where the system cannot report saves).")
@click.pass_context
def watch(ctx, slug, work_root, interval):
    """Re-check the lab every time you save your file (Ctrl-C to stop).

    The next check's sandboxed child starts right after each check, with the heavy libraries
    imported, so a save is answered in about the time your code takes: a one-line verdict
    first, then the full table."""
    from course.grading.grade import grade, prepare
    from course.grading.report import verdict
    from course.grading.watch import Saves

    lab_ = common.content(ctx).manifest.get(slug)
    path = workspace(work_root, slug) / f"{slug}.py"
    if not path.is_file():
        raise CourseError(f"{path} not found: run 'course lab start {slug}' first")
    click.echo(f"watching {path} (Ctrl-C to stop)")
    saves = Saves(path, interval)
    prepared = None
    last = None
    try:
        while True:
            last = saves.wait(last)
            click.clear()
            result = grade(lab_, path, prepared=prepared)
            prepared = None
            click.echo(verdict(result))
            sys.stdout.flush()
            # The next child starts now: its imports overlap the table and the student's edit.
            try:
                prepared = prepare(lab_, path)
            except (OSError, SyntaxError, ValueError):
                prepared = None  # a test file being edited: the next check reports it
            record_status(path.parent.parent, slug, result.score, result.max_score)
            print_result(result)
            if result.full_marks:
                click.echo("All tests pass. Well done!")
            sys.stdout.flush()
    finally:
        saves.close()
        if prepared is not None:
            prepared.close()
