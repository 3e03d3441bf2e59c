"""Every lab works on a fresh machine: reference outputs computed from a cold cache, in each
sandbox, then the reference scores full marks and the untouched stub scores 0.

(A reference cache left behind by an earlier run once hid a lab that failed on every new
machine; conftest.py also points the user folders at empty ones for the whole run.)
"""

import pytest

from course.content import content_root
from course.grading import grade as grade_mod
from course.labs import variants
from course.labs.manifest import load_manifest

from conftest import SANDBOXES

MANIFEST = load_manifest(content_root())


@pytest.mark.parametrize("kind", SANDBOXES)
@pytest.mark.parametrize("slug", MANIFEST.slugs)
def test_cold_cache_reference_full_stub_zero(slug, kind, tmp_path, monkeypatch):
    lab = MANIFEST.get(slug)
    cache = tmp_path / "cache"
    monkeypatch.setattr(grade_mod, "_cache_dir", lambda: cache)
    monkeypatch.setattr(grade_mod, "_reference_memo", {})
    tests = grade_mod.load_tests(lab)
    refs = grade_mod.reference_outputs(lab, tests, kind)
    assert set(refs) == {t.name for t in tests if t.uses_reference}
    assert refs == {} or list(cache.glob("reference-*.json")), "the reference outputs were not cached"

    copy = variants.write_variant(variants.reference_source(lab), tmp_path / "reference", lab)
    reference = grade_mod.grade(lab, copy, sandbox_kind=kind)
    failed = [(r.test.name, r.detail or r.message) for r in reference.results if not r.passed]
    assert reference.full_marks and reference.score == lab.max_points, failed
    assert reference.sandbox == kind

    stub = variants.write_variant(variants.stub_source(lab), tmp_path / "stub", lab)
    result = grade_mod.grade(lab, stub, sandbox_kind=kind)
    assert result.score == 0 and not any(r.passed for r in result.results)
