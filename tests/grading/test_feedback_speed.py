"""Issue 19's machinery, checked for what it must keep true (never for wall-clock times):
oracle values computed once, cached by test file and engine, out of the student child's reach;
a prepared child runs no student code before its run and serves one run; the watcher's verdict."""

from __future__ import annotations

import json
import shutil

import pytest

from course.grading import grade as grade_mod
from course.grading import runner
from course.grading.report import verdict

from conftest import FIXTURES, SANDBOXES

ORACLE_TEST = '''

from course.grading.testing import oracle


def _doubled_reference():
    return (np.arange(4) * 2.0).tolist()


_DOUBLED = oracle(_doubled_reference)


def _matches_oracle(got):
    assert_close(got, _DOUBLED(), name="scale(arange(4), 2)")


@graded(task=2, points=1, check=_matches_oracle)
def test_scale_oracle(lab):
    """The oracle's value is the grader's, not the child's."""
    import os

    try:
        seen = [name for name in os.listdir(CACHE) if name.startswith(("oracles-", "reference-"))]
    except Exception:  # the fallback guard refuses to look
        seen = []
    assert not seen, seen
    assert "_DOUBLED" not in globals() and "_doubled_reference" not in globals()
    return lab.scale(np.arange(4), 2)
'''


@pytest.fixture
def oracle_lab(demo_course, tmp_path, monkeypatch):
    from course.labs.manifest import load_manifest

    test_file = demo_course / "labs" / "demo" / "test_demo.py"
    cache = tmp_path / "cache"
    test_file.write_text(test_file.read_text() + ORACLE_TEST + f"\n\nCACHE = {str(cache)!r}\n")
    monkeypatch.setattr(grade_mod, "_cache_dir", lambda: cache)
    monkeypatch.setattr(grade_mod, "_reference_memo", {})
    monkeypatch.setattr(grade_mod, "_oracle_memo", {})
    return load_manifest(demo_course).get("demo"), cache


@pytest.mark.parametrize("kind", SANDBOXES)
def test_oracle_values_cached_per_test_file_and_hidden_from_the_child(oracle_lab, tmp_path, kind):
    lab, cache = oracle_lab
    solution = tmp_path / "alice" / "demo.py"
    solution.parent.mkdir()
    shutil.copyfile(lab.solution_file, solution)
    result = grade_mod.grade(lab, solution, sandbox_kind=kind)
    assert result.full_marks, [(r.test.name, r.detail or r.message) for r in result.results if not r.passed]
    stored = list(cache.glob("oracles-demo-*.json"))
    assert len(stored) == 1
    assert list(json.loads(stored[0].read_text())) == ["_doubled_reference()"]

    # Wrong code fails the oracle's check; the same cached value judges it.
    (solution).write_text(solution.read_text().replace("* factor", "* factor + 1"))
    wrong = grade_mod.grade(lab, solution, sandbox_kind=kind).by_name()
    assert not wrong["test_scale_oracle"].passed

    # A new version of the test file gets its own oracle values; the child still sees no cache.
    lab.test_file.write_text(lab.test_file.read_text() + "\n# changed\n")
    shutil.copyfile(lab.solution_file, solution)
    again = grade_mod.grade(lab, solution, sandbox_kind=kind)
    assert again.full_marks, [(r.test.name, r.detail or r.message) for r in again.results if not r.passed]
    assert len(list(cache.glob("oracles-demo-*.json"))) == 2


def test_a_prepared_child_waits_without_student_code_and_serves_one_run(demo_lab, tmp_path):
    solution = tmp_path / "bob" / "demo.py"
    solution.parent.mkdir()
    solution.write_text("import os\nopen(os.environ['HOME'] + '/ran', 'w').close()\n"
                        + demo_lab.solution_file.read_text())
    prepared = grade_mod.prepare(demo_lab, solution, sandbox_kind="none")
    assert prepared.waiting is not None and prepared.waiting.proc.poll() is None
    assert list(prepared.workdir.iterdir()) == []  # no student file, so no student code yet
    result = grade_mod.grade(demo_lab, solution, sandbox_kind="none", prepared=prepared)
    assert result.full_marks
    assert prepared.closed and prepared.waiting is None
    runner.settle()  # the ended child is taken down after the verdict (by this thread's reaper)
    assert not prepared.tmp.exists()
    # A closed one is never reused: the next grade starts its own child.
    again = grade_mod.grade(demo_lab, solution, sandbox_kind="none", prepared=prepared)
    assert again.full_marks


def test_a_prepared_child_for_other_tests_is_not_used(demo_lab, tmp_path):
    solution = tmp_path / "carol" / "demo.py"
    solution.parent.mkdir()
    shutil.copyfile(FIXTURES / "demo_course" / "labs" / "demo" / "demo.py", solution)
    other = runner.Prepared(module="demo", tests_source="# other tests\n", hidden=[], kind="none", total_timeout=30)
    result = grade_mod.grade(demo_lab, solution, sandbox_kind="none", prepared=other)
    assert result.full_marks and other.closed


def test_verdict_names_score_and_first_failing_test(demo_lab, tmp_path):
    solution = tmp_path / "dan" / "demo.py"
    solution.parent.mkdir()
    solution.write_text(demo_lab.solution_file.read_text().replace("return a + b", "return a - b"))
    line = verdict(grade_mod.grade(demo_lab, solution, sandbox_kind="none"))
    assert line.startswith("demo: 2/5 (40%)") and "first failing: test_add_small (task 1)" in line
    assert "\n" not in line
    solution.write_text("def add(:\n")
    assert "failed to import" in verdict(grade_mod.grade(demo_lab, solution, sandbox_kind="none"))
    shutil.copyfile(demo_lab.solution_file, solution)
    assert verdict(grade_mod.grade(demo_lab, solution, sandbox_kind="none")).endswith("all tests pass")


@pytest.mark.parametrize("kind", SANDBOXES)
def test_an_ended_child_is_reaped_after_the_verdict_and_before_settle_returns(demo_lab, tmp_path, kind,
                                                                                monkeypatch):
    """The verdict does not wait for the sandbox to be taken down; ``settle`` does: after it,
    every child of the run has ended and every work folder of the run is gone."""
    boxes, procs = [], []
    spawn = runner.Prepared.spawn

    def recording_spawn(self):
        boxes.append(self.tmp)
        process = spawn(self)
        procs.append(process.proc)
        return process

    monkeypatch.setattr(runner.Prepared, "spawn", recording_spawn)
    solution = tmp_path / "demo.py"
    shutil.copy(demo_lab.solution_file, solution)
    assert grade_mod.grade(demo_lab, solution, sandbox_kind=kind).full_marks
    runner.settle(everything=True)  # the reference's children too, when the cache was cold
    assert procs and all(proc.poll() is not None for proc in procs)
    assert boxes and not any(box.exists() for box in boxes)
    assert not [t for ts in runner._pending.values() for t in ts if t.is_alive()]


def test_a_child_that_never_reads_its_setup_cannot_hold_the_grader(tmp_path, monkeypatch):
    """The setup is sent by a thread (the grader goes on meanwhile); a child that never reads it
    is stopped at the run's deadline and its tests score 0, as for any child that hangs."""
    import sys
    import threading

    monkeypatch.setattr(runner.sandbox, "child_argv", lambda: [sys.executable, "-c", "import time; time.sleep(120)"])
    setup = runner.Prepared._setup
    monkeypatch.setattr(runner.Prepared, "_setup", lambda self, fd: {**setup(self, fd), "padding": "x" * 2**20})
    tests = tmp_path / "test_demo.py"
    tests.write_text("from course.testing import graded\n\n"
                     "@graded(task=1, points=1, expect=1)\ndef test_one(lab):\n    return 1\n")
    student = tmp_path / "sub" / "demo.py"
    student.parent.mkdir()
    student.write_text("")
    done = {}

    def run():
        done["report"] = runner.run_probes(module="demo", solution=student, tests_file=tests, names=["test_one"],
                                           timeouts={"test_one": 1}, total_timeout=2, hidden=[], kind="none")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(90)  # liveness, not speed: without the deadline this waits for the child forever
    assert not thread.is_alive(), "the grader waited for a child that never read its setup"
    assert not done["report"].outcomes["test_one"].ok


def test_a_submission_whose_grading_raises_still_waits_for_its_ended_children(demo_lab, tmp_path, monkeypatch):
    """Class grading: when grading a submission raises after its child said it was done, that
    child is still taken down before the worker goes on to the next submission."""
    import threading
    import time

    from course.grading import classroom

    reapers = []

    def grade_that_raises(*args, **kwargs):
        reapers.append(runner._background(time.sleep, 0.5))  # a child being taken down
        raise RuntimeError("the reference broke after the run")

    monkeypatch.setattr(classroom, "grade", grade_that_raises)
    (tmp_path / "ann").mkdir()
    shutil.copy(demo_lab.solution_file, tmp_path / "ann" / "demo.py")
    done = {}
    worker = threading.Thread(target=lambda: done.update(graded=classroom.grade_one(
        demo_lab, classroom.Submission("ann", tmp_path / "ann"), "none")))
    worker.start()
    worker.join()
    assert "grader error: RuntimeError" in done["graded"].error
    assert reapers and not reapers[0].is_alive()
