"""Meta-tests for every lab of the built-in course.

For each lab: its files have the shape of the contract, the reference solution scores full
marks, the untouched stub scores 0 on every graded test, and every planted-bug variant fails
each test named in its CAUGHT_BY (all through the real sandboxed grader).
"""

import pytest

from course.authoring.selfcheck import selfcheck
from course.content import content_root
from course.grading.grade import load_tests
from course.labs import variants
from course.labs.manifest import load_manifest

MANIFEST = load_manifest(content_root())


@pytest.mark.parametrize("slug", MANIFEST.slugs)
def test_reference_full_stub_zero_bugs_caught(slug):
    lab = MANIFEST.get(slug)
    report = selfcheck(lab)
    assert report.problems == []
    assert report.reference.full_marks and report.reference.max_score == lab.max_points
    assert report.stub.score == 0
    assert len(report.bugs) >= 5, "each lab keeps its known-wrong implementations as fixtures"
    for name, result in report.bugs.items():
        assert result.score == 0 and result.results, f"planted bug {name} passes a test meant to catch it"


# Labs with more planted bugs than the minimum keep at least what they have.
MIN_BUGS = {"f1": 8, "hnsw": 8, "toolkit": 6}


@pytest.mark.parametrize("slug", MANIFEST.slugs)
def test_planted_bugs_say_what_is_wrong_and_name_real_tests(slug):
    lab = MANIFEST.get(slug)
    names = {t.name for t in load_tests(lab)}
    bugs = variants.bugs(lab)
    assert len(bugs) >= MIN_BUGS.get(slug, 5)
    for bug in bugs:
        assert bug.doc, f"{bug.origin}: say what is wrong in a docstring"
        assert set(bug.caught_by) <= names, f"{bug.origin}: unknown tests {set(bug.caught_by) - names}"


def test_course_order():
    assert MANIFEST.slugs == ["f1", "toolkit", "attention", "rope", "determinism", "hnsw", "continual"]
