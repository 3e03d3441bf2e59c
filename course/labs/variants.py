"""The versions of a lab's solution that the project grades against itself.

* the reference (markers stripped),
* the student stub generated from it,
* planted-bug variants: ``labs/<slug>/bugs/<name>.py`` is plain data: a docstring saying what
  is wrong, ``CAUGHT_BY = ["test_name", ...]`` and ``REPLACE = [(old, new), ...]``, checked
  edits of the reference text (markers stripped). The variant is the reference with the edits
  applied in order.

:func:`apply_edits` applies an edit only where its ``old`` text occurs exactly once in the text
it is applied to, and fails otherwise, naming the bug and the edit: a change to a reference that
a bug's edit no longer fits is an error (``course dev selfcheck`` reports it), never a variant
that silently stopped being the bug. Mutation testing (``course.authoring.mutate``) states each
mutant as such an edit and applies it through the same function.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from course.errors import CourseError
from course.labs import markers
from course.labs.manifest import Lab


@dataclass(frozen=True)
class Bug:
    name: str
    path: Path
    caught_by: tuple[str, ...]
    doc: str
    edits: tuple[tuple[str, str], ...] = ()
    origin: str = ""  # "labs/<slug>/bugs/<name>.py:<line of REPLACE>", for errors


STUB_MARK = "# Your file for lab "  # the first line of every generated stub
_TASK_RE = re.compile(r"#\s*Task\s+(\d+)\b")
_DEF_RE = re.compile(r"(\s*)(?:async\s+)?(def|class)\s+(\w+)")


def stub_source(lab: Lab) -> str:
    """The student's file: a header saying what it is, then the stub.

    A file that already is a stub (the student edition ships them as its solution files)
    is returned as it is.
    """
    source = lab.solution_file.read_text(encoding="utf-8")
    if source.startswith(STUB_MARK):
        return source
    stub = _student_docstring(markers.make_stub(source))
    header = ""
    for _ in range(4):  # line numbers in the header count the header's own lines
        again = _stub_header(lab, stub, header.count("\n"))
        if again == header:
            break
        header = again
    return header + stub


def _student_docstring(stub: str) -> str:
    """The module docstring speaks to the student: "the reference solution" is their copy."""
    try:
        tree = ast.parse(stub)
    except SyntaxError:
        return stub
    first = tree.body[0] if tree.body else None
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return stub
    lines = stub.splitlines(keepends=True)
    doc = "".join(lines[: first.end_lineno])
    doc = re.sub(r"\b(?:[Tt]he|[Aa]) reference solution\b", "your working copy", doc)
    return doc + "".join(lines[first.end_lineno:])


def todo_functions(stub: str, offset: int = 0) -> list[tuple[int | None, str, int]]:
    """(task number or None, function, line) for every ``raise NotImplementedError`` left to write.

    The task is the nearest ``# Task N`` section comment above; ``offset`` is added to lines.
    """
    lines = stub.splitlines()
    found: list[tuple[int | None, str, int]] = []
    seen: set[str] = set()
    task = None
    for i, line in enumerate(lines):
        match = _TASK_RE.match(line)
        if match:
            task = int(match.group(1))
        if line.strip() != "raise NotImplementedError":
            continue
        indent = len(line) - len(line.lstrip())
        names = []
        for j in range(i - 1, -1, -1):
            d = _DEF_RE.match(lines[j])
            if d and len(d.group(1)) < indent:
                names.append(d.group(3))
                indent = len(d.group(1))
                if indent == 0:
                    break
        name = ".".join(reversed(names)) or "(module)"
        if name not in seen:
            seen.add(name)
            start = i
            while start > 0 and lines[start - 1].strip().startswith("# TODO"):
                start -= 1
            found.append((task, name, start + 1 + offset))
    return found


def _wrap(text: str) -> list[str]:
    import textwrap

    lines = textwrap.wrap(text, 96, initial_indent="#   ", subsequent_indent="#        ", break_long_words=False)
    return [line.replace("\0", " ") for line in lines]


def _stub_header(lab: Lab, stub: str, offset: int) -> str:
    todos = todo_functions(stub, offset)
    by_task: dict[int | None, list[str]] = {}
    for task, name, line in todos:
        by_task.setdefault(task, []).append(f"{name}\0(line\0{line})")  # \0: no line break inside
    out = [
        f"{STUB_MARK}{lab.slug}: {lab.title}.",
        "#",
        "# This is your file to complete, not a solution. Each `raise NotImplementedError` below,",
        "# after a `# TODO:` line that says what the block must do, is code for you to write.",
        "# Tasks to fill in:",
    ]
    tasks = {t.number for t in lab.tasks}
    for t in lab.tasks:
        where = by_task.get(t.number, [])
        text = f"{t.number}. {t.title} ({t.points:g} points)" + (": " + ", ".join(where) if where else "")
        out += _wrap(text)
    rest = [w for task, names in by_task.items() if task not in tasks for w in names]
    if rest:
        out += _wrap("to write: " + ", ".join(rest))
    check, pytest = f"course lab check {lab.slug}", f"pytest {lab.test_file.name}"
    width = max(len(check), len(pytest)) + 3
    out += [
        "# Check your work, from this folder:",
        f"#   {check.ljust(width)}every graded test: what was expected and what came",
        f"#   {pytest.ljust(width)}the public tests only",
        f"# Stuck on task N?  course lab hint {lab.slug} N",
        "",
        "",
    ]
    return "\n".join(out)


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


def occurrences(text: str, old: str) -> int:
    """How many places ``old`` starts at in ``text``, overlapping ones included."""
    if not old:
        return len(text) + 1
    count, at = 0, text.find(old)
    while at != -1:
        count += 1
        at = text.find(old, at + 1)
    return count


def apply_edits(source: str, edits, origin: str) -> str:
    """``source`` with each ``(old, new)`` of ``edits`` applied in order, each to the text the
    previous ones left. An ``old`` that does not occur exactly once there is a ``CourseError``
    naming ``origin`` and the edit (1-based), so an edit never lands in a place it was not meant for."""
    for number, (old, new) in enumerate(edits, start=1):
        count = occurrences(source, old)
        if count != 1:
            raise CourseError(f"{origin}: edit {number}: old text occurs {count} times in the reference")
        source = source.replace(old, new, 1)
    return source


def _course_relative(path: Path, lab: Lab) -> str:
    try:
        return path.relative_to(lab.directory.parent.parent).as_posix()
    except ValueError:
        return str(path)


def _assigned(tree: ast.Module, name: str) -> ast.Assign | None:
    return next((node for node in tree.body if isinstance(node, ast.Assign)
                 and any(getattr(t, "id", "") == name for t in node.targets)), None)


def _edits(node: ast.Assign | None, where: str) -> tuple[tuple[str, str], ...]:
    if node is None:
        raise CourseError(f"{where}:1: planted bug without REPLACE = [(old, new), ...]")
    try:
        value = ast.literal_eval(node.value)
    except ValueError:
        value = None
    if not (isinstance(value, (list, tuple)) and value and all(
            isinstance(e, tuple) and len(e) == 2 and all(isinstance(s, str) for s in e) for e in value)):
        raise CourseError(f"{where}:{node.lineno}: REPLACE must be a non-empty list of (old, new) string pairs")
    return tuple(value)


def bugs(lab: Lab) -> list[Bug]:
    found = []
    for path in sorted(lab.bugs_dir.glob("*.py")) if lab.bugs_dir.is_dir() else []:
        where = _course_relative(path, lab)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as exc:
            raise CourseError(f"{where}:{exc.lineno}: {exc.msg}") from None
        caught_node = _assigned(tree, "CAUGHT_BY")
        try:
            caught = tuple(ast.literal_eval(caught_node.value)) if caught_node is not None else ()
        except (ValueError, TypeError):
            raise CourseError(f"{where}:{caught_node.lineno}: CAUGHT_BY must be a list of test names") from None
        if not caught:
            raise CourseError(f"{where}:1: planted bug without CAUGHT_BY = [test names]")
        replace = _assigned(tree, "REPLACE")
        edits = _edits(replace, where)
        found.append(Bug(path.stem, path, caught, ast.get_docstring(tree) or "", edits, f"{where}:{replace.lineno}"))
    return found


def bug_source(lab: Lab, bug: Bug) -> str:
    """The reference with the bug's edits applied (``CourseError`` when an edit no longer fits)."""
    return apply_edits(reference_source(lab), bug.edits, bug.origin or str(bug.path))


def write_variant(source: str, directory: Path, lab: Lab) -> Path:
    """Write a variant as ``directory/<slug>.py`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{lab.slug}.py"
    path.write_text(source, encoding="utf-8")
    return path
