"""One lab result, every reader: Gradescope's ``results.json``, the student's terminal, the
one-line verdict of ``lab watch``, and the ``feedback.md`` / ``instructor.md`` of a class.

Each renderer reads the same :class:`~course.grading.grade.LabResult`; what a test's failure
says comes from its ``message`` (already cleaned, and value-free for hidden tests) and where
it happened from its structured ``failure`` (:mod:`course.grading.failure`), never from
parsing text. Text that came from student code is cleaned again at the edge it leaves by.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from course.grading.feedback import clean

if TYPE_CHECKING:
    from course.grading.grade import LabResult, TestResult
    from course.labs.manifest import Lab

MAX_DETAILED = 8  # failing tests explained in full in the terminal; the rest are counted
VERDICT_WIDTH = 300


# --- Gradescope ------------------------------------------------------------------------------

def gradescope(result: LabResult) -> dict:
    """Gradescope's ``results.json`` (hidden tests are shown after grades are published)."""
    tests = []
    counters: dict[int, int] = {}
    for r in result.results:
        counters[r.test.task] = counters.get(r.test.task, 0) + 1
        tests.append({
            "name": r.test.name,
            "number": f"{r.test.task}.{counters[r.test.task]}",
            "score": r.score,
            "max_score": r.test.points,
            "status": "passed" if r.passed else "failed",
            "output": r.message,
            "tags": [f"task-{r.test.task}"] + (["hidden"] if r.test.hidden else []),
            "visibility": "after_published" if r.test.hidden else "visible",
        })
    imported = [f"Your module failed to import:\n{result.import_error}"] if result.import_error else []
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.seconds, 3),
        "output": "\n".join(imported + result.notes),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "lab": result.lab.slug,
        "sandbox": result.sandbox,
    }


def gradescope_error(lab: Lab, message: str) -> dict:
    """Gradescope results for a submission that could not be graded at all."""
    return {"score": 0, "max_score": lab.max_points, "output": clean(message), "tests": [], "lab": lab.slug}


# --- the terminal ----------------------------------------------------------------------------

def verdict(result: LabResult) -> str:
    """One line: the score and the first failing test (or that all pass)."""
    pct = 100 * result.score / result.max_score if result.max_score else 0
    head = f"{result.lab.slug}: {result.score:g}/{result.max_score:g} ({pct:.0f}%)"
    if result.import_error:
        first = result.import_error.strip().splitlines()[0] if result.import_error.strip() else ""
        return f"{head} - your module failed to import: {first}"[:VERDICT_WIDTH]
    failing = [r for r in result.results if not r.passed]
    if not failing:
        return f"{head} - all tests pass"
    first = min(failing, key=lambda r: r.test.task)  # the earliest task, in test order within it
    message = " ".join(first.message.strip().splitlines()[:1])
    line = f"{head} - first failing: {first.test.name} (task {first.test.task})"
    return (line + (f": {message}" if message else ""))[:VERDICT_WIDTH]


def terminal(result: LabResult, console, *, verbose: bool = True) -> None:
    """The student's report on a Rich ``console``: every task and test, points, and what to
    do next (the failing task's messages first, then the tasks not written yet)."""
    from rich.table import Table

    titles = {t.number: t.title for t in result.lab.tasks}
    table = Table(title=f"{result.lab.title} ({result.lab.slug})", show_lines=False)
    for column in ("task", "test", "result", "points"):
        table.add_column(column)
    for r in result.results:
        mark = "[green]pass[/green]" if r.passed else "[red]FAIL[/red]"
        name = r.test.name + (" [dim](hidden)[/dim]" if r.test.hidden else "")
        table.add_row(f"{r.test.task}. {titles.get(r.test.task, '')}", name, mark, f"{r.score:g}/{r.test.points:g}")
    console.print(table)
    if verbose:
        _what_went_wrong(result, console, titles)
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    pct = 100 * result.score / result.max_score if result.max_score else 0
    style = "green" if result.full_marks else "yellow"
    console.print(f"[bold {style}]Score: {result.score:g}/{result.max_score:g} ({pct:.0f}%)[/bold {style}]"
                  f"  [dim]{result.seconds:.1f} s, sandbox: {result.sandbox}[/dim]")


def _what_went_wrong(result: LabResult, console, titles: dict[int, str]) -> None:
    from rich.text import Text

    if result.import_error:
        # Once, as a compiler shows it: every test failed for this one reason.
        console.print("[bold]What went wrong[/bold]: your module failed to import, so no test could run")
        console.print(Text(result.import_error, style="red"))
        return
    failures = [r for r in result.results if not r.passed]
    if not failures:
        return
    console.print("[bold]What went wrong[/bold]")
    # An untouched stub says more as one line per task than as the same trace per test.
    todo: dict[int, str] = {}
    for r in failures:
        if r.not_written:
            todo.setdefault(r.test.task, _stub_location(r))
    detailed = [r for r in failures if not r.not_written]
    # The task being worked on first (its code runs and fails), then what is not written yet.
    for r in detailed[:MAX_DETAILED]:
        console.print(Text(f"✗ {r.test.name} (task {r.test.task})", style="red"))
        if r.test.doc:
            console.print(Text("  " + " ".join(r.test.doc.split("\n\n")[0].split()), style="dim"))
        for line in (r.message.strip() or "failed").splitlines()[:12]:
            console.print(Text("  " + line))
    if len(detailed) > MAX_DETAILED:
        more = len(detailed) - MAX_DETAILED
        console.print(Text(f"… and {_plural(more, 'more failing test')} (see --json for all)", style="dim"))
    for task, where in sorted(todo.items()):
        console.print(Text(f"• task {task} ({titles.get(task, '')}): not implemented yet", style="yellow")
                      + Text(f"  {where}" if where else "", style="dim"))
    first = min(r.test.task for r in (detailed or failures))
    console.print(f"Next: task {first} ({titles.get(first, '')}). "
                  f"Stuck? [bold]course lab hint {result.lab.slug} {first}[/bold]")


def _stub_location(r: TestResult) -> str:
    where = r.failure.where if r.failure else None
    return clean(f"write {where.function} ({where.file}:{where.line})") if where else ""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


# --- feedback files ----------------------------------------------------------------------------

def markdown(lab: Lab, student: str, result: LabResult | None, error: str = "", *, instructor: bool = False) -> str:
    """``feedback.md`` (hidden tests without expected values), or with ``instructor`` the
    full detail of every failure and the end of the child's output (``instructor.md``)."""
    title = "instructor's copy" if instructor else "feedback"
    lines = [f"# {lab.title}: {title} for {student}", ""]
    if result is None:
        lines += [f"Your submission could not be graded: {clean(error)}", "", f"Score: 0/{lab.max_points:g}"]
        return "\n".join(lines) + "\n"
    lines += [f"**Score: {result.score:g}/{result.max_score:g}**", ""]
    if result.import_error:
        lines += ["Your module failed to import, so no test could run:", "", *fenced(result.import_error), ""]
    scores = result.task_scores()
    for task in lab.tasks:
        got, total = scores.get(task.number, (0, 0))
        lines += [f"## Task {task.number}: {task.title} ({got:g}/{total:g})", ""]
        for r in (r for r in result.results if r.test.task == task.number):
            mark = "✅" if r.passed else "❌"
            hidden = " (hidden test)" if r.test.hidden else ""
            lines.append(f"- {mark} `{r.test.name}` ({r.score:g}/{r.test.points:g}){hidden}")
            message = (r.detail or r.message) if instructor else r.message
            if not r.passed and message and not result.import_error:
                shown = "\n".join(message.strip().splitlines()[: 40 if instructor else 8])
                lines += ["", *("  " + line for line in fenced(shown)), ""]
        lines.append("")
    lines += [f"_Note: {note}_" for note in result.notes]
    if instructor and result.output.strip():
        lines += ["", "## End of the child's output", "", *fenced(result.output.strip())]
    return "\n".join(lines).rstrip() + "\n"


def fenced(text: str) -> list[str]:
    """``text`` (which came from student code) as a Markdown code block it cannot close:
    the fence is longer than any run of backticks inside, so nothing in it renders."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *text.splitlines(), fence]
