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
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError
from course.files import atomic_write_bytes
from course.grading import report, runner
from course.grading.feedback import clean
from course.grading.grade import LabResult, grade
from course.labs.manifest import Lab

MAX_UNZIPPED = 64 * 1024**2
RESERVED = {"grades.csv", "test_pass_rates.csv", "class-report.html", "concepts.csv"}


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


def grade_one(lab: Lab, submission: Submission, sandbox_kind: str | None, hide: tuple[Path, ...] = ()) -> Graded:
    try:
        return _grade_one(lab, submission, sandbox_kind, hide)
    finally:
        # A class is graded in one process: the ended child is gone before the next
        # submission runs and before any result is written, even when grading raised.
        runner.settle()


def _grade_one(lab: Lab, submission: Submission, sandbox_kind: str | None, hide: tuple[Path, ...]) -> Graded:
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
            return Graded(submission, grade(lab, path, sandbox_kind=sandbox_kind, hide=hide))
    except CourseError as exc:
        return Graded(submission, None, str(exc))
    except Exception as exc:  # noqa: BLE001  (one broken submission never stops the batch)
        return Graded(submission, None, f"grader error: {type(exc).__name__}: {exc}")


def csv_cell(value: str) -> str:
    """A student-controlled CSV field that a spreadsheet will not run as a formula."""
    value = clean(value).replace("\n", " ")
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t") else value


def _unsafe_entry(path: Path) -> str:
    """Why the grader must not write at ``path`` (a FIFO, link or device there), or ''."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return ""
    except OSError as exc:
        return f"{path}: {exc.strerror}"
    return "" if stat.S_ISREG(mode) else f"{path} exists and is not a regular file"


def write_outputs(lab: Lab, graded: list[Graded], out: Path) -> dict:
    """Per-student results.json, feedback.md and instructor.md; grades.csv and test pass rates.

    Only this (trusted) process writes here. An entry that is not a plain file or folder
    where a student's results go (a FIFO or a link, say) is an error for that student only.
    """
    out.mkdir(parents=True, exist_ok=True)
    task_cols = [f"task{t.number}" for t in lab.tasks]
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["student", *task_cols, "total", "max", "percent", "status"])
    passes: dict[str, list[int]] = {}
    for g in graded:
        problem = _write_student(lab, g, out / g.submission.student)
        if g.result and not problem:
            scores = g.result.task_scores()
            cells = [f"{scores.get(t.number, (0, 0))[0]:g}" for t in lab.tasks]
            total, maximum = g.result.score, g.result.max_score
            status = g.result.status
            for r in g.result.results:
                passes.setdefault(r.test.name, [0, 0])
                passes[r.test.name][0] += int(r.passed)
                passes[r.test.name][1] += 1
        else:
            cells = ["0"] * len(lab.tasks)
            total, maximum, status = 0.0, lab.max_points, f"error: {problem or g.error}"
        percent = 100 * total / maximum if maximum else 0.0
        writer.writerow([csv_cell(g.submission.student), *cells, f"{total:g}", f"{maximum:g}", f"{percent:.1f}",
                         csv_cell(status)])
    atomic_write_bytes(out / "grades.csv", table.getvalue().encode())
    rates = io.StringIO()
    rate_writer = csv.writer(rates, lineterminator="\n")
    rate_writer.writerow(["test", "passed", "graded", "pass_rate"])
    for name, (ok, total) in passes.items():
        rate_writer.writerow([name, ok, total, f"{ok / total:.3f}"])
    atomic_write_bytes(out / "test_pass_rates.csv", rates.getvalue().encode())
    return {name: ok / total for name, (ok, total) in passes.items()}


def _write_student(lab: Lab, g: Graded, folder: Path) -> str:
    """Write one student's files; return why they could not be written ('' when written)."""
    try:
        mode = folder.lstat().st_mode
        if not stat.S_ISDIR(mode):
            return f"{folder} exists and is not a folder"
    except FileNotFoundError:
        folder.mkdir()
    except OSError as exc:
        return f"{folder}: {exc.strerror}"
    files = {
        "results.json": json.dumps(report.gradescope(g.result) if g.result else report.gradescope_error(lab, g.error),
                                   indent=1),
        "feedback.md": report.markdown(lab, g.submission.student, g.result, g.error),
        "instructor.md": report.markdown(lab, g.submission.student, g.result, g.error, instructor=True),
    }
    for name, text in files.items():
        problem = _unsafe_entry(folder / name)
        if problem:
            return problem
    for name, text in files.items():
        try:
            atomic_write_bytes(folder / name, text.encode())
        except OSError as exc:
            return f"{folder / name}: {exc.strerror}"
    return ""
