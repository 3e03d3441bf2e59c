"""The instructor's class report: ``concepts.csv`` and ``class-report.html``.

From a class's results (graded here by ``course grade``, or downloaded ``results.json`` files
with ``course grade --from-results``): the share of the class that failed each task, and for
each card the share that failed a task it serves (from the ``cards = [...]`` of each task in
lab.toml), so the instructor sees which concepts to teach again.

The page is self-contained: inline CSS, figures as base64 PNG (matplotlib, imported only
here), no script and a content security policy that allows none. Every string that a student
controls (names, messages) is escaped; no test message appears at all, so no hidden test's
expected value can.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import math
import stat
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from course.errors import CourseError
from course.files import atomic_write_bytes

REPORT = "class-report.html"
CONCEPTS = "concepts.csv"
WEAKEST = 5
MAX_RESULTS_BYTES = 16 * 1024**2


@dataclass
class Outcome:
    """One student's results: test name -> passed, or why there are none."""

    student: str
    passed: dict[str, bool] = field(default_factory=dict)
    error: str = ""

    @property
    def graded(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class TestInfo:
    name: str
    task: int
    points: float
    hidden: bool


def test_infos(tests) -> list[TestInfo]:
    return [TestInfo(t.name, t.task, t.points, t.hidden) for t in tests]


def outcomes_from_graded(graded) -> list[Outcome]:
    """From ``course grade``'s own results (classgrade.Graded)."""
    out = []
    for g in graded:
        if g.result is None:
            out.append(Outcome(g.submission.student, error=g.error or "not graded"))
        else:
            out.append(Outcome(g.submission.student, {r.test.name: bool(r.passed) for r in g.result.results}))
    return out


# --- downloaded results.json files ----------------------------------------------------------

def _results_file(folder: Path) -> Path | None:
    for candidate in (folder / "results.json", folder / "results" / "results.json"):
        try:
            if stat.S_ISREG(candidate.lstat().st_mode):
                return candidate
        except OSError:
            continue
    return None


def read_results(path: Path, slug: str, known: set[str]) -> tuple[dict[str, bool], str]:
    """(test name -> passed, '') from one results.json, or ({}, why it cannot be used).

    The file comes from a container the student's code ran in: only the names of the lab's own
    tests and their pass/fail are taken from it, and scores are recomputed from the lab's points."""
    try:
        if path.stat().st_size > MAX_RESULTS_BYTES:
            return {}, f"{path}: larger than {MAX_RESULTS_BYTES // 1024**2} MB"
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return {}, f"{path}: {exc.strerror or exc}"
    except UnicodeDecodeError:
        return {}, f"{path}: not UTF-8 text"
    except ValueError as exc:
        return {}, f"{path}: not valid JSON ({exc})"
    if not isinstance(data, dict) or not isinstance(data.get("tests", []), list):
        return {}, f"{path}: not a results.json (an object with a 'tests' list)"
    lab = data.get("lab")
    if isinstance(lab, str) and lab != slug:
        return {}, f"{path}: results of lab '{lab[:40]}', not '{slug}'"
    passed: dict[str, bool] = {}
    for test in data.get("tests", []):
        if not isinstance(test, dict) or test.get("name") not in known:
            continue
        status = test.get("status")
        if status in ("passed", "failed"):
            ok = status == "passed"
        else:  # Gradescope's schema makes status optional: full points is a pass
            score, top = test.get("score"), test.get("max_score")
            ok = (isinstance(score, (int, float)) and isinstance(top, (int, float))
                  and math.isfinite(score) and score >= top)
        passed[test["name"]] = passed.get(test["name"], True) and ok
    if not passed:
        output = data.get("output")
        why = " ".join(output.split())[:200] if isinstance(output, str) and output.strip() else "no test results"
        return {}, f"{path}: {why}"
    return passed, ""


def outcomes_from_results(directory: Path, slug: str, tests: list[TestInfo]) -> list[Outcome]:
    """One outcome per sub-folder of ``directory`` holding ``results.json`` (or
    ``results/results.json``), named after the folder; links are not followed."""
    if not directory.is_dir():
        raise CourseError(f"--from-results: {directory} is not a folder")
    known = {t.name for t in tests}
    outcomes = []
    for folder in sorted(p for p in directory.iterdir() if p.is_dir() and not p.is_symlink()):
        path = _results_file(folder)
        if path is None:
            continue
        passed, error = read_results(path, slug, known)
        outcomes.append(Outcome(folder.name, passed, error))
    if not outcomes:
        raise CourseError(f"--from-results: no <student>/results.json in {directory} (one folder per student, "
                          "as Gradescope's 'Export submissions' gives them)")
    return outcomes


# --- numbers ------------------------------------------------------------------------------

@dataclass
class ClassStats:
    graded: list[Outcome]
    scores: list[float]  # percent of the lab's points, per graded student
    test_rates: dict[str, float]  # test -> pass rate
    task_failed: dict[int, int]  # task -> students who failed it
    card_rows: list[tuple[str, list[int], int]]  # (card id, tasks it serves, students who failed one)


def class_stats(lab, tests: list[TestInfo], outcomes: list[Outcome]) -> ClassStats:
    graded = [o for o in outcomes if o.graded]
    total = sum(t.points for t in tests) or 1.0
    scores = [100 * sum(t.points for t in tests if o.passed.get(t.name)) / total for o in graded]
    rates = {t.name: (sum(bool(o.passed.get(t.name)) for o in graded) / len(graded) if graded else 0.0)
             for t in tests}

    def failed(o: Outcome, number: int) -> bool:
        return any(not o.passed.get(t.name) for t in tests if t.task == number)

    task_failed = {t.number: sum(failed(o, t.number) for o in graded) for t in lab.tasks}
    serves: dict[str, list[int]] = {}
    for task in lab.tasks:
        for card_id in dict.fromkeys(task.cards):
            serves.setdefault(card_id, []).append(task.number)
    card_rows = [(card_id, numbers, sum(any(failed(o, n) for n in numbers) for o in graded))
                 for card_id, numbers in serves.items()]
    card_rows.sort(key=lambda row: (-row[2], row[1][0], row[0]))
    return ClassStats(graded, scores, rates, task_failed, card_rows)


def _share(count: int, of: int) -> str:
    return f"{count / of:.3f}" if of else ""


def concepts_csv(lab, stats: ClassStats, cards_by_id: dict) -> str:
    from course.cards.pairing import short_front
    from course.grading.classroom import csv_cell

    n = len(stats.graded)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["kind", "lab", "task", "card", "text", "failed", "graded", "share_failed"])
    for task in lab.tasks:
        failed = stats.task_failed[task.number]
        writer.writerow(["task", lab.slug, task.number, "", csv_cell(task.title), failed, n, _share(failed, n)])
    for card_id, numbers, failed in stats.card_rows:
        card = cards_by_id.get(card_id)
        writer.writerow(["card", lab.slug, ";".join(map(str, numbers)), csv_cell(card_id),
                         csv_cell(short_front(card.front, 120) if card else ""), failed, n, _share(failed, n)])
    return buffer.getvalue()


# --- figures ------------------------------------------------------------------------------

def _mpl_text(text: str) -> str:
    return text.replace("$", r"\$")  # matplotlib would read $...$ as math


def _png(fig) -> tuple[str, int, int]:
    """Base64 PNG of a matplotlib figure, with its CSS size (rendered at twice that)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=160, bbox_inches="tight", pad_inches=0.15,
                metadata={"Software": None})  # no version stamp: the same data gives the same bytes
    data = buffer.getvalue()
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return base64.b64encode(data).decode("ascii"), width // 2, height // 2


def _colour(rate: float) -> str:
    return "#c0392b" if rate < 0.5 else "#e1a100" if rate < 0.8 else "#2e8b57"


def figures(lab, tests: list[TestInfo], stats: ClassStats) -> dict[str, tuple[str, int, int]]:
    from matplotlib.figure import Figure

    out = {}
    fig = Figure(figsize=(8, 3.2))
    ax = fig.add_subplot()
    ax.hist(stats.scores, bins=[i * 10 for i in range(11)], color="#4a78b5", edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_xlabel("score (% of the lab's points)")
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"Scores of {len(stats.graded)} graded submissions")
    out["scores"] = _png(fig)

    n = len(stats.graded)
    task_rates = [1 - stats.task_failed[t.number] / n for t in lab.tasks]
    fig = Figure(figsize=(8, 0.45 * len(lab.tasks) + 1.0))
    ax = fig.add_subplot()
    labels = [_mpl_text(f"{t.number}. {t.title}") for t in lab.tasks]
    ax.barh(range(len(labels)), [100 * r for r in task_rates], color=[_colour(r) for r in task_rates])
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("students who passed every test of the task (%)")
    ax.set_title("Pass rate per task")
    for y, r in enumerate(task_rates):
        ax.text(min(100 * r + 1, 92), y, f"{100 * r:.0f}%", va="center", fontsize=8)
    out["tasks"] = _png(fig)

    ordered = sorted(tests, key=lambda t: t.task)
    fig = Figure(figsize=(9, 0.22 * len(ordered) + 1.0))
    ax = fig.add_subplot()
    rates = [stats.test_rates[t.name] for t in ordered]
    ax.barh(range(len(ordered)), [100 * r for r in rates], color=[_colour(r) for r in rates])
    ax.set_yticks(range(len(ordered)), [_mpl_text(f"{t.task}: {t.name}" + (" (hidden)" if t.hidden else ""))
                                        for t in ordered], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("students who passed the test (%)")
    ax.set_title("Pass rate per test (task: test)")
    out["tests"] = _png(fig)
    return out


# --- the page -----------------------------------------------------------------------------

_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1d1d1f;
       max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta { color: #555; } figure { margin: 1rem 0; }
img { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #f3f3f5; } code { font-size: 0.9em; } ul.cards { margin: 0; padding-left: 1.1rem; }
.bad { color: #c0392b; font-weight: 600; }
"""


def clean_line(text: str) -> str:
    """A student-controlled string for the terminal: no control characters, one line."""
    from course.grading.feedback import clean

    return " ".join(clean(text).split())


def _e(text: object) -> str:
    from course.grading.feedback import clean

    return html.escape(clean(str(text)), quote=True)


def report_html(lab, tests: list[TestInfo], outcomes: list[Outcome], stats: ClassStats, cards_by_id: dict,
                source: str) -> str:
    from course.cards.pairing import short_front, task_search

    n = len(stats.graded)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        'style-src \'unsafe-inline\'">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(lab.title)}: class report</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(lab.title)} <code>{_e(lab.slug)}</code>: class report</h1>",
    ]
    summary = f"{len(outcomes)} submissions, {n} graded ({_e(source)})"
    if n:
        summary += (f"; mean score {statistics.mean(stats.scores):.0f}%, "
                    f"median {statistics.median(stats.scores):.0f}%, "
                    f"{sum(s >= 100 - 1e-9 for s in stats.scores)} with full marks")
    parts.append(f'<p class="meta">{summary}.</p>')
    if not n:
        parts.append("<p>No submission could be graded, so there is nothing to chart.</p>")
    else:
        pictures = figures(lab, tests, stats)
        alts = {"scores": "Histogram of the class's scores", "tasks": "Pass rate per task",
                "tests": "Pass rate per test"}
        heads = {"scores": "Scores", "tasks": "Pass rate per task", "tests": "Pass rate per test"}
        weakest = sorted((t for t in lab.tasks if stats.task_failed[t.number]),
                         key=lambda t: (-stats.task_failed[t.number], t.number))[:WEAKEST]
        for key in ("scores", "tasks"):
            data, width, height = pictures[key]
            parts.append(f"<h2>{heads[key]}</h2><figure><img src=\"data:image/png;base64,{data}\" "
                         f'width="{width}" height="{height}" alt="{alts[key]}"></figure>')
        parts.append(f"<h2>The {WEAKEST} weakest tasks, and the cards that teach them</h2>")
        if not weakest:
            parts.append("<p>Every graded submission passed every task.</p>")
        else:
            parts.append('<table><colgroup><col style="width:32%"><col style="width:12%"><col></colgroup>'
                         "<tr><th>task</th><th>failed</th><th>cards (share of the class that failed a task the "
                         "card serves)</th></tr>")
            card_failed = {card_id: failed for card_id, _, failed in stats.card_rows}
            for task in weakest:
                items = []
                for card_id in dict.fromkeys(task.cards):
                    card = cards_by_id.get(card_id)
                    front = f" {_e(short_front(card.front, 110))}" if card else ""
                    items.append(f"<li><code>{_e(card_id)}</code> ({100 * card_failed.get(card_id, 0) / n:.0f}%)"
                                 f"{front}</li>")
                failed = stats.task_failed[task.number]
                parts.append(f"<tr><td>{task.number}. {_e(task.title)}<br><small>Anki: "
                             f"<code>{_e(task_search(lab.slug, task.number))}</code></small></td>"
                             f'<td class="bad">{100 * failed / n:.0f}% ({failed}/{n})</td>'
                             f'<td><ul class="cards">{"".join(items)}</ul></td></tr>')
            parts.append("</table>")
        data, width, height = pictures["tests"]
        parts.append(f"<h2>{heads['tests']}</h2><figure><img src=\"data:image/png;base64,{data}\" "
                     f'width="{width}" height="{height}" alt="{alts["tests"]}"></figure>')
    errors = [o for o in outcomes if not o.graded]
    if errors:
        parts.append(f"<h2>Not graded ({len(errors)})</h2><table><colgroup><col style=\"width:25%\"><col></colgroup>"
                     "<tr><th>student</th><th>why</th></tr>")
        parts += [f"<tr><td>{_e(o.student)}</td><td>{_e(o.error[:300])}</td></tr>" for o in errors]
        parts.append("</table>")
    parts.append(f'<p class="meta">Per task and per card in {CONCEPTS}; the pass rate of every test in '
                 "test_pass_rates.csv when graded locally.</p></body></html>")
    return "\n".join(parts) + "\n"


def write_report(lab, tests: list[TestInfo], outcomes: list[Outcome], cards_by_id: dict, out: Path,
                 source: str = "graded here") -> tuple[Path, Path]:
    """Write ``concepts.csv`` and ``class-report.html`` into ``out`` (each whole or not at all)."""
    stats = class_stats(lab, tests, outcomes)
    table = concepts_csv(lab, stats, cards_by_id)
    page = report_html(lab, tests, outcomes, stats, cards_by_id, source)  # both made before either is written
    atomic_write_bytes(out / CONCEPTS, table.encode("utf-8"))
    atomic_write_bytes(out / REPORT, page.encode("utf-8"))
    return out / CONCEPTS, out / REPORT


def course_cards(root: Path) -> dict:
    """The course's cards by id; none when it ships none (a Gradescope engine) or they do not parse."""
    from course.cards.parse import load_cards

    try:
        return {c.id: c for c in load_cards(root)}
    except (CourseError, OSError):
        return {}
