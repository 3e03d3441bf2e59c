"""The instructor's commands: ``course grade`` and ``course release``."""

from __future__ import annotations

from pathlib import Path

import click

from course.commands import common
from course.errors import CourseError


@click.command(cls=click.Command)
@click.argument("slug")
@click.argument("submissions", nargs=-1, type=click.Path(exists=True))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for results.")
@click.option("--from-results", "from_results", type=click.Path(file_okay=False), metavar="DIR",
              help="Grade nothing: build concepts.csv and class-report.html from downloaded results.json files "
                   "(DIR/<student>/results.json, as Gradescope exports them).")
@click.option("--no-report", is_flag=True, help="Skip concepts.csv and class-report.html (one submission per "
                                                "run, as on Gradescope).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Submissions graded at once.")
@click.option("--sandbox", type=click.Choice(["auto", "bwrap", "none"]), default=None)
@click.option("--trust-submissions", is_flag=True,
              help="Grade without bubblewrap: student code then runs behind an audit guard only, which native "
                   "code can step around (it could read classmates' work or the reference, or disturb the batch).")
@click.pass_context
def grade(ctx, slug, submissions, out_dir, from_results, no_report, jobs, sandbox, trust_submissions):
    """Grade SUBMISSIONS (folders or zips) of lab SLUG, hidden tests included.

    Writes OUT/<student>/results.json (Gradescope schema), OUT/<student>/feedback.md (what
    the student may see), OUT/<student>/instructor.md (full detail, hidden tests' expected
    values included), OUT/grades.csv, OUT/test_pass_rates.csv, and for the instructor
    OUT/concepts.csv (per task and card: the share of the class that failed) and
    OUT/class-report.html (scores, pass rates, the weakest tasks and their cards). Refuses to
    run without a working bubblewrap unless --trust-submissions is given.
    """
    if from_results and no_report:
        raise CourseError("--no-report: --from-results only builds the report")
    if from_results and submissions:
        raise CourseError("--from-results: give either SUBMISSIONS to grade or --from-results DIR, not both")
    if from_results:
        return _report_from_results(ctx, slug, Path(from_results), Path(out_dir))
    if not submissions:
        raise CourseError("missing SUBMISSIONS: give the folders or zips to grade (or --from-results DIR)")
    from concurrent.futures import ThreadPoolExecutor

    from rich.progress import Progress

    from course.grading import sandbox as sandbox_mod
    from course.grading.classroom import grade_one, student_names, write_outputs
    from course.grading.grade import load_tests, reference_outputs

    kind = sandbox_mod.choose(sandbox)
    if kind == "none" and not trust_submissions:
        why = ("is turned off (--sandbox none)" if sandbox_mod.bwrap_works()
               else "is not usable here (install the 'bubblewrap' package)")
        raise CourseError(f"--sandbox: bubblewrap {why}; grading a class without it needs --trust-submissions")
    out_path = Path(out_dir)
    if out_path.exists() and not out_path.is_dir():
        raise CourseError(f"--out: {out_path} is a file, not a folder")
    out_path.mkdir(parents=True, exist_ok=True)  # fail now, not after grading everyone
    course = common.content(ctx)
    lab_ = course.manifest.get(slug)
    reference_outputs(lab_, load_tests(lab_), kind)  # once, before the workers need it
    subs = student_names([Path(s) for s in submissions])
    out = common.console()
    if kind == "none":
        out.print("[yellow]warning:[/yellow] bubblewrap is not in use (--trust-submissions): student code runs "
                  "with resource limits and an audit guard only")
    # Threads suffice: each one only waits on a sandboxed child process.
    with Progress(console=out, transient=True) as progress, ThreadPoolExecutor(max_workers=jobs) as pool:
        task = progress.add_task(f"grading {slug}", total=len(subs))
        hide = tuple(Path(s) for s in submissions) + (out_path,)  # classmates' work, for the fallback guard
        futures = [pool.submit(grade_one, lab_, s, kind, hide) for s in subs]
        graded = []
        for future in futures:
            graded.append(future.result())
            progress.advance(task)
    rates = write_outputs(lab_, graded, out_path)
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from course.grading.feedback import clean

    table = Table(title=f"{lab_.title}: {common.plural(len(graded), 'submission')}")
    table.add_column("student")
    table.add_column("score")
    table.add_column("status")
    for g in graded:
        if g.result:
            table.add_row(escape(g.submission.student), f"{g.result.score:g}/{g.result.max_score:g}", g.result.status)
        else:
            table.add_row(escape(g.submission.student), f"0/{lab_.max_points:g}",
                          Text(clean(g.error)[:80], style="red"))
    out.print(table)
    if rates:
        rate_table = Table(title="Pass rate per test")
        rate_table.add_column("test")
        rate_table.add_column("pass rate")
        for name, rate in rates.items():
            rate_table.add_row(name, f"{100 * rate:.0f}%")
        out.print(rate_table)
    if no_report:
        out.print(f"wrote {Path(out_dir) / 'grades.csv'} (sandbox: {kind})")
        return
    from course.grading import class_report as report  # matplotlib: about 2 s, once per class

    report.write_report(lab_, report.test_infos(load_tests(lab_)), report.outcomes_from_graded(graded),
                        report.course_cards(course.root), out_path)
    out.print(f"wrote {Path(out_dir) / 'grades.csv'}, {report.CONCEPTS} and {report.REPORT} (sandbox: {kind})")


def _report_from_results(ctx, slug: str, source: Path, out_path: Path) -> None:
    """``course grade --from-results``: the class report from downloaded results, no grading."""
    from course.grading import class_report as report
    from course.grading.grade import load_tests

    if out_path.exists() and not out_path.is_dir():
        raise CourseError(f"--out: {out_path} is a file, not a folder")
    common.require_parent("--out", out_path)
    course = common.content(ctx)
    lab_ = course.manifest.get(slug)
    tests = report.test_infos(load_tests(lab_))
    outcomes = report.outcomes_from_results(source, slug, tests)
    for o in outcomes:
        if not o.graded:
            click.echo(f"warning: {report.clean_line(o.error)}: counted as not graded", err=True)
    out_path.mkdir(exist_ok=True)
    report.write_report(lab_, tests, outcomes, report.course_cards(course.root), out_path,
                        source=f"from results.json files in {source}")
    graded = sum(o.graded for o in outcomes)
    click.echo(f"wrote {out_path / report.CONCEPTS} and {out_path / report.REPORT} "
               f"({common.plural(len(outcomes), 'submission')}, {graded} with results)")


@click.command()
@click.option("--out", "out", required=True, type=click.Path(), help="Folder (or .zip with --gradescope).")
@click.option("--gradescope", "gradescope_lab", metavar="LAB", help="Build a Gradescope autograder zip for LAB.")
@click.option("--github-classroom", is_flag=True, help="Write a GitHub Classroom starter with an autograding workflow.")
@click.option("--force", is_flag=True, help="Replace an existing output.")
@click.pass_context
def release(ctx, out, gradescope_lab, github_classroom, force):
    """The student edition (no solutions, no hidden tests), or a Gradescope/GitHub Classroom bundle."""
    from course.authoring import release as rel

    course = common.content(ctx)
    root, manifest = course.root, course.manifest
    target = Path(out).resolve()
    if target.exists() and not force:
        raise CourseError(f"--out: {target} exists (use --force to replace it)")
    from course.content import package_dir

    for own in (root, package_dir()):
        if target == own or own.is_relative_to(target) or target.is_relative_to(own / "labs") \
                or target.is_relative_to(own / "cards"):
            raise CourseError(f"--out: {target} would overwrite the course's own files ({own})")
    if gradescope_lab and github_classroom:
        raise CourseError("--gradescope and --github-classroom: choose one")
    common.require_parent("--out", target)
    try:
        if gradescope_lab:
            rel.gradescope_zip(root, manifest.get(gradescope_lab), target)
        elif github_classroom:
            rel.github_classroom(root, manifest, target)
        else:
            rel.student_edition(root, manifest, target)
    except OSError as exc:  # built beside the target: name the target, not the temporary name
        raise CourseError(f"--out: cannot write {target} ({exc.strerror or exc})") from None
    if gradescope_lab:
        click.echo(f"wrote {target}: upload it as the autograder of lab {gradescope_lab}")
    elif github_classroom:
        click.echo(f"wrote {target}: push it as the assignment's starter repository")
    else:
        click.echo(f"wrote the student edition to {target} (use it with: course --course-dir {target} ...)")
