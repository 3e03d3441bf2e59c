"""Static checks of a lab folder's shape (the contract in ``labs/README.md``)."""

from __future__ import annotations

import ast
import re

from course.labs import markers
from course.labs.manifest import Lab

LESSON_SECTIONS = ("Objectives", "Background", "Tasks", "How to run", "Figures", "Cards")


def lab_problems(lab: Lab) -> list[str]:
    """Everything wrong with a lab's files, as ``path: message`` lines (empty when fine)."""
    problems: list[str] = []
    for path in (lab.lesson_file, lab.solution_file, lab.test_file, lab.hints_file):
        if not path.is_file():
            problems.append(f"{path}: missing")
    if problems:
        return problems
    lesson = lab.lesson_file.read_text(encoding="utf-8")
    headings = [h.strip() for h in re.findall(r"(?m)^## (.+)$", lesson)]
    for section in LESSON_SECTIONS:
        if section not in headings:
            problems.append(f"{lab.lesson_file}: no '## {section}' section")
    source = lab.solution_file.read_text(encoding="utf-8")
    try:
        stub = markers.make_stub(source)
        markers.hidden_line_ranges(lab.test_file.read_text(encoding="utf-8"))
    except markers.MarkerError as exc:
        return problems + [f"{lab.solution_file}: {exc}"]
    if stub == source:
        problems.append(f"{lab.solution_file}: no '### BEGIN SOLUTION' blocks")
    # Imports inside a block vanish from the stub, and the student's first line fails with NameError.
    for number, line in enumerate(source.splitlines(), start=1):
        previous = source.splitlines()[number - 2].strip() if number > 1 else ""
        if previous.startswith(markers.BEGIN_SOLUTION) and re.match(r"\s*(import |from \S+ import )", line):
            problems.append(f"{lab.solution_file}:{number}: import inside a solution block (put it above the marker)")
    try:
        tree = ast.parse(stub)
    except SyntaxError as exc:
        return problems + [f"{lab.solution_file}: the generated stub does not compile ({exc})"]
    if not any(isinstance(n, ast.FunctionDef) and n.name == "make_figures" for n in tree.body):
        problems.append(f"{lab.solution_file}: no top-level make_figures(outdir)")
    if not ast.get_docstring(tree):
        problems.append(f"{lab.solution_file}: no header docstring")
    hints = lab.hints_file.read_text(encoding="utf-8")
    for task in lab.tasks:
        if not re.search(rf"(?m)^## Task {task.number}\b", hints):
            problems.append(f"{lab.hints_file}: no '## Task {task.number}' section")
        if not re.search(rf"(?m)^### Task {task.number}\b", lesson):
            problems.append(f"{lab.lesson_file}: no '### Task {task.number}' heading")
    return problems


def points_problems(lab: Lab, tests) -> list[str]:
    """Test points add up to each task's points; every task has a public test."""
    problems = []
    known = {t.number for t in lab.tasks}
    for test in tests:
        if test.task not in known:
            problems.append(f"{lab.test_file}:{test.line}: {test.name} is for task {test.task}, which lab.toml lacks")
        if not test.hidden and test.uses_reference:
            problems.append(f"{lab.test_file}:{test.line}: public test {test.name} uses the reference solution")
    for task in lab.tasks:
        total = sum(t.points for t in tests if t.task == task.number)
        if abs(total - task.points) > 1e-9:
            problems.append(f"{lab.directory / 'lab.toml'}: task {task.number} is worth {task.points:g} "
                            f"but its tests add up to {total:g}")
        if not any(t.task == task.number and not t.hidden for t in tests):
            problems.append(f"{lab.test_file}: task {task.number} has no public test")
    return problems
