"""The grader on the demo lab: scores, feedback, hidden tests, Gradescope schema."""

import pytest

from course.authoring.selfcheck import selfcheck
from course.grading import report
from course.grading.grade import grade
from course.labs import variants

from conftest import FIXTURES, SANDBOXES

FIXTURE_LAB = FIXTURES / "demo_course" / "labs" / "demo"


@pytest.mark.parametrize("kind", SANDBOXES)
def test_selfcheck_reference_full_stub_zero_bug_caught(demo_lab, kind):
    report = selfcheck(demo_lab, kind)
    assert report.problems == []
    assert report.reference.full_marks and report.reference.score == 5
    assert report.stub.score == 0 and all(not r.passed for r in report.stub.results)
    assert set(report.bugs) == {"subtracts"}
    assert all(not r.passed for r in report.bugs["subtracts"].results)
    assert report.reference.sandbox == kind


def test_hidden_tests_are_marked_and_can_be_left_out(demo_lab, tmp_path):
    path = variants.write_variant(variants.reference_source(demo_lab), tmp_path, demo_lab)
    full = grade(demo_lab, path, sandbox_kind="none")
    hidden = {r.test.name for r in full.results if r.test.hidden}
    assert hidden == {"test_add_many", "test_scale_random"}
    public = grade(demo_lab, path, include_hidden=False, sandbox_kind="none")
    assert {r.test.name for r in public.results} == {"test_add_small", "test_scale_double"}


def test_failure_message_teaches(demo_lab, tmp_path):
    (tmp_path / "demo.py").write_text(
        "import numpy as np\ndef add(a, b):\n    return a + b\ndef scale(x, f):\n    return np.asarray(x)[:2] * f\n"
    )
    result = grade(demo_lab, tmp_path / "demo.py", sandbox_kind="none")
    by = result.by_name()
    assert by["test_add_small"].passed and by["test_add_many"].passed
    assert "expected shape (3,), got shape (2,)" in by["test_scale_double"].message
    assert not result.full_marks and result.score == 4


def test_gradescope_schema(demo_lab, tmp_path):
    path = variants.write_variant(variants.stub_source(demo_lab), tmp_path, demo_lab)
    data = report.gradescope(grade(demo_lab, path, sandbox_kind="none"))
    assert {"score", "max_score", "execution_time", "tests", "output", "visibility", "lab", "sandbox"} <= set(data)
    assert data["score"] == 0 and data["max_score"] == 5 and data["lab"] == "demo"
    for test in data["tests"]:
        assert {"name", "number", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] == "failed" and "NotImplementedError" in test["output"]
    assert [t["number"] for t in data["tests"]] == ["1.1", "2.1", "1.2", "2.2"]


def test_missing_solution_scores_zero(demo_lab, tmp_path):
    result = grade(demo_lab, tmp_path / "nope.py", sandbox_kind="none")
    assert result.score == 0 and "no solution file" in result.results[0].message


def test_tests_pass_under_plain_pytest_against_the_reference(demo_course):
    """The student's local loop: pytest imports demo.py next to test_demo.py."""
    import os
    import subprocess
    import sys

    test_file = str(demo_course / "labs" / "demo" / "test_demo.py")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test_file],
                          capture_output=True, text=True, cwd=demo_course,
                          env={**os.environ, "COURSE_DIR": str(demo_course)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed" in done.stdout  # the REFERENCE tests compare with the course's reference
    # Without the course's reference, a REFERENCE test is skipped, never compared with itself.
    alone = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", test_file],
                           capture_output=True, text=True, cwd=demo_course)
    assert alone.returncode == 0 and "2 passed, 2 skipped" in alone.stdout, alone.stdout


def test_child_gets_probes_without_checks():
    import ast

    from course.grading.strip import probes_only

    source = (FIXTURE_LAB / "test_demo.py").read_text()
    stripped = ast.unparse(probes_only(source, "test_demo.py"))
    assert "_is_doubled" not in stripped and "REFERENCE)" not in stripped and "expect=5" not in stripped
    for name in ("test_add_small", "test_scale_double", "test_add_many", "test_scale_random"):
        assert f"def {name}(lab)" in stripped
    assert stripped.count("expect=None") == 4
    # Line numbers are kept: a probe's frame points at its line in the real file.
    tree = probes_only(source, "test_demo.py")
    lines = source.splitlines()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            assert lines[node.lineno - 1].startswith(f"def {node.name}(")
