"""Meta-tests for every lab of the built-in course.

For each lab: its files have the shape of the contract, the reference solution scores full
marks, the untouched stub scores 0 on every graded test, and every planted-bug variant fails
each test named in its CAUGHT_BY (all through the real sandboxed grader).
"""

import pytest

from course.authoring.selfcheck import selfcheck
from course.content import content_root
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


def test_course_order():
    assert MANIFEST.slugs == ["f1", "toolkit", "attention", "rope", "determinism", "hnsw", "continual"]
