"""Every command reads the course once: one content root, one manifest per command."""

import collections

import pytest


@pytest.fixture
def course_reads(monkeypatch):
    """Counts the calls of content_root and load_manifest, wherever the commands import them from."""
    import course.content
    import course.labs.manifest

    calls = collections.Counter()
    for module, name in ((course.content, "content_root"), (course.labs.manifest, "load_manifest")):
        real = getattr(module, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    return calls


@pytest.mark.parametrize("args, status", [
    (("export", "anki", "-o", "{tmp}/x.apkg"), 0),
    (("cards", "lint"), 0),
    (("cards", "lock", "--check"), 1),  # the fixture has no lock file: stale
    (("cards", "list", "--lab", "demo"), 0),
    (("study", "--stats", "--db", "{tmp}/reviews.sqlite3"), 0),
])
def test_a_card_command_reads_the_course_once(demo_course, tmp_path, run_cli, course_reads, args, status):
    result = run_cli("--course-dir", demo_course, *(a.format(tmp=tmp_path) for a in args))
    assert result.exit_code == status, result.output
    assert course_reads == {"content_root": 1, "load_manifest": 1}


@pytest.mark.parametrize("args, status", [
    (("lab", "list", "--dir", "{tmp}/work"), 0),
    (("lab", "start", "demo", "--dir", "{tmp}/work"), 0),
    (("lab", "check", "demo", "--reference", "--sandbox", "none"), 0),
    (("lab", "hint", "demo", "1"), 0),
])
def test_a_lab_command_reads_the_course_once(demo_course, tmp_path, run_cli, course_reads, args, status):
    result = run_cli("--course-dir", demo_course, *(a.format(tmp=tmp_path) for a in args))
    assert result.exit_code == status, result.output
    assert course_reads == {"content_root": 1, "load_manifest": 1}
