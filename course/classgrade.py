"""``course grade``: grade a whole class's submissions of one lab.

A submission is a directory or a .zip holding a student's ``<slug>/`` workspace (or just
the ``<slug>.py`` file somewhere inside). Only that one file is graded; everything else
a submission brings is ignored. One broken submission never stops the batch.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError
from course.grading.grade import LabResult, grade
from course.lock import atomic_write_bytes
from course.manifest import Lab

MAX_UNZIPPED = 64 * 1024**2
RESERVED = {"grades.csv", "test_pass_rates.csv"}


@dataclass
class Submission:
    student: str
    source: Path


@dataclass
class Graded:
    submission: Submission
    result: LabResult | None
    error: str = ""


def student_names(sources: list[Path]) -> list[Submission]:
    """One safe, unique folder name per submission: the zip's or folder's name, or for a
    single ``<slug>.py`` file the folder it sits in."""
    taken: set[str] = set()
    out = []
    for source in sources:
        resolved = source.resolve()
        if resolved.suffix == ".zip":
            raw = resolved.stem
        elif resolved.is_file():
            raw = resolved.parent.name
        else:
            raw = resolved.name
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", raw).lstrip(".") or "student"
        name, n = base, 2
        while name in taken or name in RESERVED:
            name, n = f"{base}-{n}", n + 1
        taken.add(name)
        out.append(Submission(name, source))
    return out


def _has_link(path: Path, root: Path) -> bool:
    """Whether ``path`` or any folder between it and ``root`` is a symbolic link."""
    current = path
    while current != root and current != current.parent:
        if current.is_symlink():
            return True
        current = current.parent
    return False


def find_solution(root: Path, slug: str) -> Path | None:
    """``<slug>/<slug>.py`` if present, else the shallowest ``<slug>.py``; never through a link."""
    preferred = root / slug / f"{slug}.py"
    candidates = [preferred] + sorted(root.rglob(f"{slug}.py"), key=lambda p: (len(p.parts), str(p)))
    for path in candidates:
        if path.is_file() and not _has_link(path, root):
            return path
    return None


def _unzip_solution(archive: Path, slug: str, into: Path) -> Path | None:
    """Extract only the solution file from a zip, refusing bombs and odd paths."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir() and Path(m.filename).name == f"{slug}.py"]
            if not members:
                return None
            members.sort(key=lambda m: (m.filename.count("/"), m.filename))
            member = members[0]
            if member.file_size > MAX_UNZIPPED:
                raise CourseError(f"{archive}: {member.filename} is too large ({member.file_size} bytes)")
            data = zf.read(member)
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
        raise CourseError(f"{archive}: not a readable zip file ({exc})") from None
    target = into / f"{slug}.py"
    target.write_bytes(data)
    return target


def grade_one(lab: Lab, submission: Submission, sandbox_kind: str | None) -> Graded:
    try:
        with tempfile.TemporaryDirectory(prefix="course-sub-") as tmp:
            if submission.source.is_dir():
                path = find_solution(submission.source, lab.slug)
            elif submission.source.suffix == ".zip":
                path = _unzip_solution(submission.source, lab.slug, Path(tmp))
            elif submission.source.name == f"{lab.slug}.py":
                path = submission.source
            else:
                return Graded(submission, None, f"{submission.source}: not a folder, a .zip or {lab.slug}.py")
            if path is None:
                return Graded(submission, None, f"no {lab.slug}.py in {submission.source}")
            return Graded(submission, grade(lab, path, sandbox_kind=sandbox_kind))
    except CourseError as exc:
        return Graded(submission, None, str(exc))
    except Exception as exc:  # noqa: BLE001  (one broken submission never stops the batch)
        return Graded(submission, None, f"grader error: {type(exc).__name__}: {exc}")


def zero_result(lab: Lab, message: str) -> dict:
    """Gradescope results for a submission that could not be graded at all."""
    return {"score": 0, "max_score": lab.max_points, "output": message, "tests": [], "lab": lab.slug}


def feedback_markdown(graded: Graded, lab: Lab) -> str:
    lines = [f"# {lab.title}: feedback for {graded.submission.student}", ""]
    result = graded.result
    if result is None:
        lines += [f"Your submission could not be graded: {graded.error}", "", f"Score: 0/{lab.max_points:g}"]
        return "\n".join(lines) + "\n"
    lines += [f"**Score: {result.score:g}/{result.max_score:g}**", ""]
    scores = result.task_scores()
    for task in lab.tasks:
        got, total = scores.get(task.number, (0, 0))
        lines.append(f"## Task {task.number}: {task.title} ({got:g}/{total:g})")
        lines.append("")
        for r in result.results:
            if r.test.task != task.number:
                continue
            mark = "✅" if r.passed else "❌"
            lines.append(f"- {mark} `{r.test.name}` ({r.score:g}/{r.test.points:g})" + (" (hidden test)" if r.test.hidden else ""))
            if not r.passed and r.message:
                for msg_line in r.message.strip().splitlines()[:8]:
                    lines.append(f"    {msg_line}")
        lines.append("")
    for note in result.notes:
        lines.append(f"_Note: {note}_")
    return "\n".join(lines).rstrip() + "\n"


def write_outputs(lab: Lab, graded: list[Graded], out: Path) -> dict:
    """Per-student results.json and feedback.md, grades.csv and test pass rates."""
    out.mkdir(parents=True, exist_ok=True)
    task_cols = [f"task{t.number}" for t in lab.tasks]
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["student", *task_cols, "total", "max", "percent", "status"])
    passes: dict[str, list[int]] = {}
    for g in graded:
        folder = out / g.submission.student
        folder.mkdir(parents=True, exist_ok=True)
        data = g.result.to_gradescope() if g.result else zero_result(lab, g.error)
        atomic_write_bytes(folder / "results.json", json.dumps(data, indent=1).encode())
        atomic_write_bytes(folder / "feedback.md", feedback_markdown(g, lab).encode())
        if g.result:
            scores = g.result.task_scores()
            cells = [f"{scores.get(t.number, (0, 0))[0]:g}" for t in lab.tasks]
            total, maximum = g.result.score, g.result.max_score
            status = "full marks" if g.result.full_marks else "graded"
            for r in g.result.results:
                passes.setdefault(r.test.name, [0, 0])
                passes[r.test.name][0] += int(r.passed)
                passes[r.test.name][1] += 1
        else:
            cells = ["0"] * len(lab.tasks)
            total, maximum, status = 0.0, lab.max_points, f"error: {g.error}"
        percent = 100 * total / maximum if maximum else 0.0
        writer.writerow([g.submission.student, *cells, f"{total:g}", f"{maximum:g}", f"{percent:.1f}", status])
    atomic_write_bytes(out / "grades.csv", table.getvalue().encode())
    rates = io.StringIO()
    rate_writer = csv.writer(rates, lineterminator="\n")
    rate_writer.writerow(["test", "passed", "graded", "pass_rate"])
    for name, (ok, total) in passes.items():
        rate_writer.writerow([name, ok, total, f"{ok / total:.3f}"])
    atomic_write_bytes(out / "test_pass_rates.csv", rates.getvalue().encode())
    return {name: ok / total for name, (ok, total) in passes.items()}
