"""Quality of the labs' graded tests (issue 14).

* correct alternative implementations (``tests/fixtures/alternatives/<slug>/*.py``, definitions
  appended to the reference as planted bugs are) get full marks from the real grader: the
  tests admit every implementation the lesson allows;
* mutation testing (``course dev mutate``) on a small fixed-seed sample: every sampled mutant
  that is not listed as equivalent is killed, and the fast engine agrees with the real grader;
* under plain pytest, a test that compares with the reference compares with the course's
  reference solution, not with the module under test.
"""


import pytest

from course.authoring import mutate
from course.authoring.selfcheck import spec_coverage_gaps
from course.content import content_root
from course.grading.grade import grade
from course.labs import markers, variants
from course.labs.manifest import load_manifest

from conftest import FIXTURES

MANIFEST = load_manifest(content_root())
ALTERNATIVES = FIXTURES / "alternatives"
CASES = sorted((p.parent.name, p.stem) for p in ALTERNATIVES.glob("*/*.py"))


@pytest.mark.parametrize(("slug", "name"), CASES, ids=[f"{s}/{n}" for s, n in CASES])
def test_alternative_gets_full_marks(slug, name, tmp_path):
    lab = MANIFEST.get(slug)
    source = (variants.reference_source(lab) + "\n\n# ---- alternative ----\n"
              + (ALTERNATIVES / slug / f"{name}.py").read_text())
    result = grade(lab, variants.write_variant(source, tmp_path, lab), sandbox_kind="none")
    failed = {r.test.name: r.message for r in result.results if not r.passed}
    assert failed == {} and result.full_marks


def test_every_lab_keeps_two_alternatives():
    counts = {slug: sum(1 for s, _ in CASES if s == slug) for slug in MANIFEST.slugs}
    assert {s: n for s, n in counts.items() if n < 2} == {}


def test_mutants_stay_in_solution_blocks_and_compile():
    lab = MANIFEST.get("f1")
    source = lab.solution_file.read_text(encoding="utf-8")
    found = mutate.mutants(source)
    assert len(found) > 100 and len({m.id for m in found}) == len(found)
    stub = markers.make_stub(source)
    for m in found[:40]:
        assert markers.make_stub(m.source) == stub, m.id  # only solution blocks change
        compile(m.source, m.id, "exec")
    assert mutate.format_report(mutate.MutationReport(lab, [], {}, []))[0].startswith("f1: 0/0")


@pytest.mark.parametrize("slug", ["f1", "rope"])
def test_mutation_sample_is_killed(slug):
    """A fixed-seed sample of mutants: each is killed or listed as equivalent (the full run is
    ``course dev mutate SLUG``, minutes per lab)."""
    lab = MANIFEST.get(slug)
    report = mutate.run(lab, sample=8, seed=14, workers=2)
    assert report.unknown_equivalent == []
    assert [r.mutant.id for r in report.survivors()] == []


def test_fast_engine_agrees_with_the_grader():
    lab = MANIFEST.get("f1")
    fast = mutate.run(lab, sample=3, seed=3, workers=2)
    real = mutate.run(lab, sample=3, seed=3, workers=2, engine="grader", sandbox_kind="none")
    assert [(r.mutant.id, r.killed, sorted(r.failed)) for r in fast.results] == \
        [(r.mutant.id, r.killed, sorted(r.failed)) for r in real.results]


@pytest.mark.parametrize("slug", MANIFEST.slugs)
def test_spec_coverage_has_no_gaps(slug):
    """Every parameter of every student-facing function gets a non-default value in some graded
    test, and its default is used in some graded test."""
    assert spec_coverage_gaps(MANIFEST.get(slug)) == []


def test_equivalent_lists_name_existing_mutants():
    for slug in MANIFEST.slugs:
        lab = MANIFEST.get(slug)
        ids = {m.id for m in mutate.mutants(lab.solution_file.read_text(encoding="utf-8"))}
        listed = mutate.read_equivalent(lab)
        assert [k for k in listed if k not in ids] == [], slug
        assert all(reason for reason in listed.values()), f"{slug}: an equivalent mutant without a reason"


def test_local_pytest_compares_with_the_course_reference(tmp_path, monkeypatch):
    """A student's copy of a test that uses REFERENCE, run by plain pytest on a wrong module,
    fails: it is compared with the course's reference, not with the module itself."""
    import subprocess
    import sys

    lab = MANIFEST.get("f1")
    (tmp_path / "f1.py").write_text(variants.reference_source(lab)
                                    + "\n\ndef accuracy(y_true, y_pred):\n    return 0.5\n")
    (tmp_path / "test_f1.py").write_text(lab.test_file.read_text(encoding="utf-8"))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_f1.py",
                           "-k", "test_prf_battery or test_confusion_random"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "1 failed, 1 passed" in done.stdout, done.stdout[-2000:]
