"""``course lab selfcheck``: grade a lab's reference, its stub and every planted bug.

The reference must score full marks, the untouched stub 0 on every test, and each planted
bug must fail every test named in its ``CAUGHT_BY`` and lose points. The project's tests
run the same check for every lab.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from course import variants
from course.grading.grade import LabResult, grade
from course.manifest import Lab


@dataclass
class SelfCheck:
    lab: Lab
    reference: LabResult
    stub: LabResult
    bugs: dict[str, LabResult] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _task_card_problems(lab: Lab) -> list[str]:
    """Every task names at least one existing card of its lab (``cards = [...]`` in lab.toml)."""
    from course.cards import load_cards
    from course.errors import CourseError
    from course.pairing import task_card_problems

    root = lab.directory.parent.parent
    try:
        cards = {c.id: c for c in load_cards(root)}
    except CourseError as exc:
        return [f"cards: {exc}"]
    return [f"{path}:{line}: {message}" for path, line, message in task_card_problems(lab, cards, root)]


def selfcheck(lab: Lab, sandbox_kind: str | None = None, bug_names: list[str] | None = None) -> SelfCheck:
    from course.grading.grade import load_tests
    from course.labcheck import lab_problems, points_problems

    static = lab_problems(lab)
    static += points_problems(lab, load_tests(lab)) if not static else []
    static += _task_card_problems(lab)
    with tempfile.TemporaryDirectory(prefix="course-selfcheck-") as tmp:
        tmp_path = Path(tmp)
        ref = grade(lab, variants.write_variant(variants.reference_source(lab), tmp_path / "ref", lab), sandbox_kind=sandbox_kind)
        stub = grade(lab, variants.write_variant(variants.stub_source(lab), tmp_path / "stub", lab), sandbox_kind=sandbox_kind)
        report = SelfCheck(lab, ref, stub, problems=static)
        for r in ref.results:
            if not r.passed:
                report.problems.append(f"reference fails {r.test.name}: {r.message}")
        for r in stub.results:
            if r.passed:
                report.problems.append(f"stub passes {r.test.name} (a test that cannot fail)")
        found_bugs = variants.bugs(lab)
        if not found_bugs:
            report.problems.append(f"{lab.bugs_dir}: no planted bugs")
        names = {r.test.name for r in ref.results}
        for bug in found_bugs:
            unknown = sorted(set(bug.caught_by) - names)
            if unknown:
                report.problems.append(f"bug {bug.name}: CAUGHT_BY names unknown tests {unknown}")
                continue
            if bug_names is not None and bug.name not in bug_names:
                continue
            path = variants.write_variant(variants.bug_source(lab, bug), tmp_path / f"bug-{bug.name}", lab)
            result = grade(lab, path, only=list(bug.caught_by), sandbox_kind=sandbox_kind)
            report.bugs[bug.name] = result
            for r in result.results:
                if r.passed:
                    report.problems.append(f"bug {bug.name} passes {r.test.name}, which should catch it")
        return report
