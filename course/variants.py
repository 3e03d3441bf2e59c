"""The versions of a lab's solution that the project grades against itself.

* the reference (markers stripped),
* the student stub generated from it,
* planted-bug variants: ``labs/<slug>/bugs/<name>.py`` holds replacement definitions and
  ``CAUGHT_BY = ["test_name", ...]``; the variant is the reference with those definitions
  appended, so later definitions win, exactly as if the student had written them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from course import markers
from course.errors import CourseError
from course.manifest import Lab


@dataclass(frozen=True)
class Bug:
    name: str
    path: Path
    caught_by: tuple[str, ...]
    doc: str


def stub_source(lab: Lab) -> str:
    return markers.make_stub(lab.solution_file.read_text(encoding="utf-8"))


def student_files(lab: Lab) -> dict[str, str]:
    """What a student works with: the lesson, the stub and the public tests, by file name."""
    try:
        return {
            "README.md": lab.lesson_file.read_text(encoding="utf-8"),
            lab.solution_file.name: stub_source(lab),
            lab.test_file.name: markers.strip_hidden_tests(lab.test_file.read_text(encoding="utf-8")),
        }
    except markers.MarkerError as exc:
        raise CourseError(f"lab {lab.slug}: {exc}") from None


def reference_source(lab: Lab) -> str:
    return markers.strip_solution_markers(lab.solution_file.read_text(encoding="utf-8"))


def bugs(lab: Lab) -> list[Bug]:
    found = []
    for path in sorted(lab.bugs_dir.glob("*.py")) if lab.bugs_dir.is_dir() else []:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        caught = None
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "CAUGHT_BY" for t in node.targets):
                caught = tuple(ast.literal_eval(node.value))
        if not caught:
            raise CourseError(f"{path}:1: planted bug without CAUGHT_BY = [test names]")
        found.append(Bug(path.stem, path, caught, ast.get_docstring(tree) or ""))
    return found


def bug_source(lab: Lab, bug: Bug) -> str:
    return reference_source(lab) + "\n\n# ---- planted bug: " + bug.name + " ----\n" + bug.path.read_text(encoding="utf-8")


def write_variant(source: str, directory: Path, lab: Lab) -> Path:
    """Write a variant as ``directory/<slug>.py`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{lab.slug}.py"
    path.write_text(source, encoding="utf-8")
    return path
