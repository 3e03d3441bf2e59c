"""``course lab``: the student's commands (list, start, check, hint, solution, watch)."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import click

from course.commands import common
from course.errors import CourseError

DEFAULT_ROOT = "course-work"
STATUS_FILE = ".course-status.json"
MAX_DETAILED = 8  # failing tests explained in full; the rest are counted
_dir_option = click.option("--dir", "work_root", type=click.Path(file_okay=False), default=DEFAULT_ROOT,
                           show_default=True, help="Folder that holds your lab workspaces.")


@click.group(cls=common.Group)
def lab() -> None:
    """Student commands: list, start, check, hint, solution, watch."""


# --- progress ---------------------------------------------------------------------------

def read_status(work_root: Path) -> dict:
    try:
        data = json.loads((work_root / STATUS_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def record_status(work_root: Path, slug: str, score: float, max_score: float) -> None:
    from course.files import atomic_write_bytes

    status = read_status(work_root)
    previous = status.get(slug, {})
    status[slug] = {
        "score": score,
        "max_score": max_score,
        "passed": score >= max_score or bool(previous.get("passed")),
        "checked": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    atomic_write_bytes(work_root / STATUS_FILE, json.dumps(status, indent=1).encode())


def _workspace(work_root: str, slug: str) -> Path:
    """ROOT/SLUG; run from inside a lab's own folder, that folder (the default root only)."""
    here = Path.cwd()
    if work_root == DEFAULT_ROOT and here.name == slug and (here / f"{slug}.py").is_file():
        return here
    return Path(work_root).expanduser().resolve() / slug


# --- commands ----------------------------------------------------------------------------

@lab.command("list")
@_dir_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_labs(ctx, work_root, as_json):
    """The labs in course order, with your status and last score."""
    manifest = common.manifest(ctx)
    status = read_status(Path(work_root))
    rows = []
    for lab_ in manifest.labs:
        entry = status.get(lab_.slug, {})
        started = (_workspace(work_root, lab_.slug) / f"{lab_.slug}.py").is_file()
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

    lab_ = common.manifest(ctx).get(slug)
    target = _workspace(work_root, slug)
    content = common.root(ctx).resolve()
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


def print_result(result, *, verbose: bool = True) -> None:
    """The student's report: every task and test, points, and teaching messages."""
    from rich.table import Table

    out = common.console()
    table = Table(title=f"{result.lab.title} ({result.lab.slug})", show_lines=False)
    for column in ("task", "test", "result", "points"):
        table.add_column(column)
    task_titles = {t.number: t.title for t in result.lab.tasks}
    for r in result.results:
        mark = "[green]pass[/green]" if r.passed else "[red]FAIL[/red]"
        name = r.test.name + (" [dim](hidden)[/dim]" if r.test.hidden else "")
        table.add_row(f"{r.test.task}. {task_titles.get(r.test.task, '')}", name, mark, f"{r.score:g}/{r.test.points:g}")
    out.print(table)
    failures = [r for r in result.results if not r.passed]
    if verbose and result.import_error:
        from rich.text import Text

        # Once, as a compiler shows it: every test failed for this one reason.
        out.print("[bold]What went wrong[/bold]: your module failed to import, so no test could run")
        out.print(Text(result.import_error, style="red"))
    elif verbose and failures:
        from rich.text import Text

        out.print("[bold]What went wrong[/bold]")
        todo: dict[int, str] = {}
        detailed = []
        for r in failures:
            message = r.message.strip() or "failed"
            if message.startswith("NotImplementedError"):
                # An untouched stub: one line per task says more than the same trace per test.
                last = message.splitlines()[-1].strip()
                match = re.match(r"(\S+):(\d+) in (\w+)", last)
                todo.setdefault(r.test.task, f"write {match.group(3)} ({match.group(1)}:{match.group(2)})" if match else "")
            else:
                detailed.append(r)
        # The task being worked on first (its code runs and fails), then what is not written yet.
        for r in detailed[:MAX_DETAILED]:
            out.print(Text(f"✗ {r.test.name} (task {r.test.task})", style="red"))
            if r.test.doc:
                out.print(Text("  " + " ".join(r.test.doc.split("\n\n")[0].split()), style="dim"))
            for line in r.message.strip().splitlines()[:12]:
                out.print(Text("  " + line))
        if len(detailed) > MAX_DETAILED:
            more = len(detailed) - MAX_DETAILED
            out.print(Text(f"… and {common.plural(more, 'more failing test')} (see --json for all)", style="dim"))
        for task, where in sorted(todo.items()):
            out.print(Text(f"• task {task} ({task_titles.get(task, '')}): not implemented yet", style="yellow")
                      + Text(f"  {where}" if where else "", style="dim"))
        first = min(r.test.task for r in (detailed or failures))
        out.print(f"Next: task {first} ({task_titles.get(first, '')}). "
                  f"Stuck? [bold]course lab hint {result.lab.slug} {first}[/bold]")
    for note in result.notes:
        out.print(f"[yellow]note:[/yellow] {note}")
    pct = 100 * result.score / result.max_score if result.max_score else 0
    style = "green" if result.full_marks else "yellow"
    out.print(f"[bold {style}]Score: {result.score:g}/{result.max_score:g} ({pct:.0f}%)[/bold {style}]"
              f"  [dim]{result.seconds:.1f} s, sandbox: {result.sandbox}[/dim]")


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

    lab_ = common.manifest(ctx).get(slug)
    if reference:
        with tempfile.TemporaryDirectory() as tmp:
            path = variants.write_variant(variants.reference_source(lab_), Path(tmp), lab_)
            result = grade(lab_, path, sandbox_kind=sandbox)
    else:
        path = _workspace(work_root, slug) / f"{slug}.py"
        if not path.is_file():
            raise CourseError(f"{path} not found: run 'course lab start {slug}' first")
        result = grade(lab_, path, sandbox_kind=sandbox)
        record_status(path.parent.parent, slug, result.score, result.max_score)
    if as_json:
        click.echo(json.dumps(result.to_gradescope(), indent=1))
    else:
        print_result(result)
    if not reference:  # the failed tasks' cards, and a note for `course study`; never changes the grade
        from course.cards.loop import after_check

        course_dir = ctx.meta.get("course_dir") or ctx.find_root().params.get("course_dir")
        after_check(common.root(ctx), lab_, result, out=None if as_json else common.console(),
                    study_args=f" --course-dir {course_dir}" if course_dir else "")
    ctx.exit(0 if result.full_marks else 1)


@lab.command("hint")
@click.argument("slug")
@click.argument("task", type=int, required=False)
@click.pass_context
def hint(ctx, slug, task):
    """Hints for a task (or the list of tasks)."""
    from course.labs.hints import hints_for

    lab_ = common.manifest(ctx).get(slug)
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
    from course.labs.release import is_student_edition

    manifest = common.manifest(ctx)
    lab_ = manifest.get(slug)
    if (is_student_edition(manifest) or not lab_.solution_file.is_file()
            or lab_.solution_file.read_text(encoding="utf-8").startswith(variants.STUB_MARK)):
        raise CourseError(f"lab {slug}: this is the student edition of the course, which ships without "
                          "solutions (your instructor has them)")
    if not force and not read_status(_workspace(work_root, slug).parent).get(slug, {}).get("passed"):
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
    from course.grading.watch import Saves, verdict

    lab_ = common.manifest(ctx).get(slug)
    path = _workspace(work_root, slug) / f"{slug}.py"
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


@lab.command("selfcheck")
@click.argument("slugs", nargs=-1)
@click.option("--sandbox", type=click.Choice(["auto", "bwrap", "none"]), default=None)
@click.pass_context
def selfcheck_cmd(ctx, slugs, sandbox):
    """Authors: the reference scores full marks, the stub 0, every planted bug loses points."""
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


@lab.command("figures")
@click.argument("slugs", nargs=-1)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Where to write the PNGs (default: the course's cards/images).")
@click.pass_context
def figures(ctx, slugs, out_dir):
    """Authors: draw each lab's figures from its reference solution (for the cards)."""
    import subprocess
    import tempfile

    from course.labs import variants

    manifest = common.manifest(ctx)
    target = Path(out_dir) if out_dir else common.root(ctx) / "cards" / "images"
    target.mkdir(parents=True, exist_ok=True)
    for slug in slugs or manifest.slugs:
        lab_ = manifest.get(slug)
        with tempfile.TemporaryDirectory() as tmp:
            variants.write_variant(variants.reference_source(lab_), Path(tmp), lab_)
            # A child process: the reference may import torch and matplotlib; this CLI must not.
            code = (f"import sys, pathlib; sys.path.insert(0, {tmp!r}); import {slug}; "
                    f"print('\\n'.join(str(p) for p in {slug}.make_figures(pathlib.Path({str(target)!r}))))")
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  env={**__import__("os").environ, "MPLBACKEND": "Agg"})
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["failed"])[-1]
            raise CourseError(f"lab {slug}: make_figures failed: {last}")
        for line in done.stdout.split():
            click.echo(line)


from course.labs.mutate import mutate_cmd  # noqa: E402  (an author command, defined with its engine)

lab.add_command(mutate_cmd)
