"""Known attacks on naive pytest graders (course facts, section 4) all score 0 here."""

import json
import shutil
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, SANDBOXES
from course.grading.grade import grade

ATTACKS = sorted(p.stem for p in (FIXTURES / "attacks").glob("*.py"))


def _submission(name: str, tmp_path: Path, demo_lab, out: Path) -> Path:
    folder = tmp_path / name / "demo"
    folder.mkdir(parents=True)
    if name == "conftest_dir":
        for f in (FIXTURES / "attacks" / "conftest_dir").iterdir():
            shutil.copyfile(f, folder / f.name.lstrip("_"))
    else:
        text = (FIXTURES / "attacks" / f"{name}.py").read_text()
        text = text.replace("{REFERENCE}", str(demo_lab.solution_file)).replace("{OUT}", str(out))
        (folder / "demo.py").write_text(text)
    return tmp_path / name


@pytest.mark.parametrize("kind", SANDBOXES)
@pytest.mark.parametrize("attack", ATTACKS + ["conftest_dir"])
def test_attack_scores_zero(attack, kind, demo_lab, tmp_path):
    out = tmp_path / "out"
    sub = _submission(attack, tmp_path, demo_lab, out)
    begin = time.monotonic()
    result = grade(demo_lab, sub / "demo" / "demo.py", sandbox_kind=kind)
    elapsed = time.monotonic() - begin
    assert result.score == 0, [(r.test.name, r.passed, r.message) for r in result.results]
    assert len(result.results) == 4 and all(r.message for r in result.results)
    assert elapsed < demo_lab.time_limit + 10  # bounded, never hangs
    if attack == "fake_results":
        assert not out.exists()  # nothing written outside the child's own folder
    if attack == "fork_sleeper":
        assert elapsed < 20  # the grader stops at "done", not when the pipe closes


def test_read_reference_is_blocked_with_a_clear_reason(demo_lab, tmp_path):
    sub = _submission("read_reference", tmp_path, demo_lab, tmp_path / "out")
    result = grade(demo_lab, sub / "demo" / "demo.py", sandbox_kind="none")
    assert "not allowed" in result.import_error and "import" in result.results[0].message


@pytest.mark.parametrize("kind", SANDBOXES)
def test_batch_with_attacks_still_grades_the_honest_student(kind, demo_lab, tmp_path, run_cli, monkeypatch):
    """`course grade` over a class where most submissions attack: the honest one gets full marks."""
    import csv
    import json

    out = tmp_path / "out"
    subs = [_submission(a, tmp_path, demo_lab, out) for a in ("os_exit", "fake_results", "patch_compare", "conftest_dir", "memory_bomb")]
    honest = tmp_path / "honest" / "demo"
    honest.mkdir(parents=True)
    shutil.copyfile(demo_lab.solution_file, honest / "demo.py")
    result = run_cli("--course-dir", demo_lab.directory.parent.parent, "grade", "demo", *subs, tmp_path / "honest",
                     "--out", out, "-j", "2", "--sandbox", kind)
    assert result.exit_code == 0, result.output
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert rows["honest"]["total"] == "5" and rows["honest"]["percent"] == "100.0"
    for name in ("os_exit", "fake_results", "patch_compare", "conftest_dir", "memory_bomb"):
        assert rows[name]["total"] == "0", rows[name]
        assert json.loads((out / name / "results.json").read_text())["score"] == 0
    assert set(rows) == {"honest", "os_exit", "fake_results", "patch_compare", "conftest_dir", "memory_bomb"}
    rates = list(csv.DictReader((out / "test_pass_rates.csv").open()))
    assert {r["test"] for r in rates} == {"test_add_small", "test_scale_double", "test_add_many", "test_scale_random"}
    assert all(r["pass_rate"] == f"{1 / 6:.3f}" for r in rates)
    feedback = (out / "honest" / "feedback.md").read_text()
    assert "Score: 5/5" in feedback


@pytest.mark.parametrize("kind", SANDBOXES)
def test_child_sees_neither_tests_nor_reference(kind, demo_lab, tmp_path):
    """Only the solution file is on the child's disk; labs/ (reference, hidden tests) is hidden;
    a server listening on this machine's loopback cannot be reached."""
    import socket

    from course.grading import runner
    from course.grading.grade import hidden_paths

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    tests = tmp_path / "test_demo.py"
    tests.write_text("from course.testing import graded\n\n"
                     "@graded(task=1, points=1, expect=None)\n"
                     "def test_look(lab):\n    return lab.look()\n")
    student = tmp_path / "sub" / "demo.py"
    student.parent.mkdir()
    student.write_text(
        "import os\n"
        f"LABS = {str(demo_lab.directory.parent)!r}\n"
        "def look():\n"
        "    def readable(path):\n"
        "        try:\n"
        "            open(path).close()\n"
        "            return True\n"
        "        except OSError:\n"
        "            return False\n"
        "    def reachable():\n"
        "        import socket\n"
        "        try:\n"
        f"            socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
        "            return True\n"
        "        except OSError:\n"
        "            return False\n"
        "    return {'cwd': sorted(os.listdir('.')), 'reference': readable(os.path.join(LABS, 'demo', 'demo.py')),\n"
        "            'tests': readable(os.path.join(LABS, 'demo', 'test_demo.py')), 'network': reachable()}\n"
    )
    report = runner.run_probes(module="demo", solution=student, tests_file=tests, names=["test_look"],
                               timeouts={"test_look": 10}, total_timeout=30, hidden=hidden_paths(demo_lab), kind=kind)
    server.close()
    outcome = report.outcomes["test_look"]
    assert outcome.ok, outcome.error
    assert outcome.data == {"cwd": ["demo.py"], "reference": False, "tests": False, "network": False}


@pytest.mark.parametrize("how", ["file", "folder"])
def test_symlink_to_the_reference_is_refused(how, demo_lab, tmp_path, run_cli):
    import csv
    import os

    sub = tmp_path / "mallory"
    if how == "file":
        (sub / "demo").mkdir(parents=True)
        os.symlink(demo_lab.solution_file, sub / "demo" / "demo.py")
    else:
        sub.mkdir()
        os.symlink(demo_lab.directory, sub / "demo")
    out = tmp_path / "out"
    result = run_cli("--course-dir", demo_lab.directory.parent.parent, "grade", "demo", sub, "--out", out, "--sandbox", "none")
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader((out / "grades.csv").open()))
    assert row["total"] == "0"
    check = run_cli("--course-dir", demo_lab.directory.parent.parent, "lab", "check", "demo", "--dir", sub, "--json",
                    "--sandbox", "none")
    assert json.loads(check.output)["score"] == 0 and "refused" in check.output
