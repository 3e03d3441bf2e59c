"""``course dev selfcheck``: grade a lab's reference, its stub and every planted bug.

The reference must score full marks, the untouched stub 0 on every test, and each planted
bug must fail every test named in its ``CAUGHT_BY`` and lose points. A bug whose edits no
longer fit the reference (an ``old`` text not found exactly once) is a problem of the lab. The project's tests
run the same check for every lab.
"""

from __future__ import annotations

import ast
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from course.errors import CourseError
from course.grading.grade import LabResult, grade
from course.labs import markers, variants
from course.labs.manifest import Lab


@dataclass
class SelfCheck:
    lab: Lab
    reference: LabResult
    stub: LabResult
    bugs: dict[str, LabResult] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    coverage_gaps: list[str] = field(default_factory=list)


def _task_card_problems(lab: Lab) -> list[str]:
    """Every task names at least one existing card of its lab (``cards = [...]`` in lab.toml)."""
    from course.cards.pairing import task_card_problems
    from course.cards.parse import load_cards

    root = lab.directory.parent.parent
    try:
        cards = {c.id: c for c in load_cards(root)}
    except CourseError as exc:
        return [f"cards: {exc}"]
    return [f"{path}:{line}: {message}" for path, line, message in task_card_problems(lab, cards, root)]


def selfcheck(lab: Lab, sandbox_kind: str | None = None, bug_names: list[str] | None = None) -> SelfCheck:
    from course.grading.grade import load_tests
    from course.labs.structure import lab_problems, points_problems

    static = lab_problems(lab)
    static += points_problems(lab, load_tests(lab)) if not static else []
    static += _task_card_problems(lab)
    with tempfile.TemporaryDirectory(prefix="course-selfcheck-") as tmp:
        tmp_path = Path(tmp)
        ref = grade(lab, variants.write_variant(variants.reference_source(lab), tmp_path / "ref", lab),
                    sandbox_kind=sandbox_kind)
        stub = grade(lab, variants.write_variant(variants.stub_source(lab), tmp_path / "stub", lab),
                     sandbox_kind=sandbox_kind)
        report = SelfCheck(lab, ref, stub, problems=static, coverage_gaps=spec_coverage_gaps(lab))
        for r in ref.results:
            if not r.passed:
                report.problems.append(f"reference fails {r.test.name}: {r.message}")
        for r in stub.results:
            if r.passed:
                report.problems.append(f"stub passes {r.test.name} (a test that cannot fail)")
        try:
            found_bugs = variants.bugs(lab)
        except CourseError as exc:
            report.problems.append(str(exc))
            found_bugs = None
        if found_bugs == []:
            report.problems.append(f"{lab.bugs_dir}: no planted bugs")
        names = {r.test.name for r in ref.results}
        for bug in found_bugs or []:
            unknown = sorted(set(bug.caught_by) - names)
            if unknown:
                report.problems.append(f"bug {bug.name}: CAUGHT_BY names unknown tests {unknown}")
                continue
            if bug_names is not None and bug.name not in bug_names:
                continue
            try:
                source = variants.bug_source(lab, bug)
            except CourseError as exc:  # an edit the reference no longer fits
                report.problems.append(str(exc))
                continue
            path = variants.write_variant(source, tmp_path / f"bug-{bug.name}", lab)
            result = grade(lab, path, only=list(bug.caught_by), sandbox_kind=sandbox_kind)
            report.bugs[bug.name] = result
            for r in result.results:
                if r.passed:
                    report.problems.append(f"bug {bug.name} passes {r.test.name}, which should catch it")
        return report


def _student_functions(source: str) -> dict[str, ast.FunctionDef]:
    """Top-level functions with a solution block: what the student writes."""
    lines = source.splitlines()
    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef):
            body = lines[node.lineno - 1 : node.end_lineno]
            if any(line.strip().startswith(markers.BEGIN_SOLUTION) for line in body):
                out[node.name] = node
    return out


def spec_coverage_gaps(lab: Lab) -> list[str]:
    """Parameters of student-facing functions that no graded test gives a non-default value,
    or whose default no graded test uses (a static look at the calls ``lab.f(...)`` in the
    test file: a keyword, or a positional argument in that parameter's place)."""
    try:
        functions = _student_functions(lab.solution_file.read_text(encoding="utf-8"))
        tree = ast.parse(lab.test_file.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, markers.MarkerError):
        return []
    given: dict[str, set[str]] = {name: set() for name in functions}
    omitted: dict[str, set[str]] = {name: set() for name in functions}
    called: set[str] = set()
    def lab_function(expr) -> str | None:
        if (isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "lab"
                and expr.attr in functions):
            return expr.attr
        return None

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = lab_function(node.func)
        if name is None and node.args and lab_function(node.args[0]):
            # a helper called with the function and its arguments: _caught(lab.f, x, name="y")
            name = lab_function(node.args[0])
            node = ast.Call(node.args[0], node.args[1:], node.keywords)
        if name is None:
            continue
        fn = functions[name]
        called.add(fn.name)
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        defaults = dict(zip(params[len(params) - len(fn.args.defaults):], fn.args.defaults))
        defaults.update({a.arg: d for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults) if d is not None})
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            given[fn.name].update(defaults)  # *args / **kwargs: assume every parameter is reached
            continue
        passed = {params[i]: a for i, a in enumerate(node.args) if i < len(params)}
        passed.update({k.arg: k.value for k in node.keywords})
        for name, default in defaults.items():
            if name not in passed:
                omitted[fn.name].add(name)
            elif not (isinstance(passed[name], ast.Constant) and isinstance(default, ast.Constant)
                      and passed[name].value == default.value):
                given[fn.name].add(name)
    gaps = []
    for name, fn in functions.items():
        if name not in called:
            gaps.append(f"{name}: no graded test calls it directly")
            continue
        params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        with_defaults = params[len(params) - len(fn.args.defaults):]
        with_defaults += [a.arg for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults) if d is not None]
        for param in with_defaults:
            if param not in given[name]:
                gaps.append(f"{name}({param}=...): no graded test passes a non-default value")
            if param not in omitted[name]:
                gaps.append(f"{name}({param}=...): no graded test uses the default")
    return gaps
