"""Known attacks on naive pytest graders (course facts, section 4) all score 0 here."""

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from course.grading.grade import grade
from course.grading.sandbox import bwrap_works

from conftest import FIXTURES, SANDBOXES

ATTACKS = sorted(p.stem for p in (FIXTURES / "attacks").glob("*.py"))


def _submission(name: str, tmp_path: Path, demo_lab, out: Path) -> Path:
    folder = tmp_path / name / "demo"
    folder.mkdir(parents=True)
    if name == "conftest_dir":
        for f in (FIXTURES / "attacks" / "conftest_dir").iterdir():
            shutil.copyfile(f, folder / f.name.lstrip("_"))
    else:
        text = (FIXTURES / "attacks" / f"{name}.py").read_text()
        for key, value in {"{REFERENCE}": demo_lab.solution_file, "{OUT}": out, "{SOCKET}": _socket_path(tmp_path),
                           "{HONEST}": tmp_path / "honest" / "demo" / "demo.py"}.items():
            text = text.replace(key, str(value))
        (folder / "demo.py").write_text(text)
    return tmp_path / name


def _socket_path(tmp_path: Path) -> Path:
    return tmp_path / "s.sock"


def _honest(tmp_path: Path, demo_lab) -> Path:
    honest = tmp_path / "honest" / "demo"
    honest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_lab.solution_file, honest / "demo.py")
    return tmp_path / "honest"


def _run_one_probe(tmp_path: Path, source: str, call: str, *, kind: str, timeout: float, total: float, hidden=(),
                   expect="None"):
    """Run ``source`` (a demo submission) under a one-test file whose probe returns
    ``lab.<call>()``; the grader's report of ``test_<call>``."""
    from course.grading import runner

    tests = tmp_path / "test_demo.py"
    tests.write_text("from course.testing import graded\n\n"
                     f"@graded(task=1, points=1, expect={expect})\n"
                     f"def test_{call}(lab):\n    return lab.{call}()\n")
    student = tmp_path / "sub" / "demo.py"
    student.parent.mkdir()
    student.write_text(source)
    name = f"test_{call}"
    return runner.run_probes(module="demo", solution=student, tests_file=tests, names=[name],
                             timeouts={name: timeout}, total_timeout=total, hidden=list(hidden), kind=kind)


@pytest.fixture
def local_services(tmp_path):
    """A host service on a socket file and on an abstract socket name, listening."""
    import socket

    servers = []
    for address in (str(_socket_path(tmp_path)), "\0" + str(_socket_path(tmp_path))):
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(address)
        server.listen(8)
        servers.append(server)
    yield
    for server in servers:
        server.close()


@pytest.mark.parametrize("kind", SANDBOXES)
@pytest.mark.parametrize("attack", ATTACKS + ["conftest_dir"])
def test_attack_scores_zero(attack, kind, demo_lab, tmp_path, local_services):
    out = tmp_path / "out"
    sub = _submission(attack, tmp_path, demo_lab, out)
    classmate = _honest(tmp_path, demo_lab)
    import tempfile

    # A classmate graded at the same time, as the grader lays out its working folders.
    running = Path(tempfile.mkdtemp(prefix="course-grade-")) / "work"
    running.mkdir()
    shutil.copyfile(demo_lab.solution_file, running / "demo.py")
    begin = time.monotonic()
    result = grade(demo_lab, sub / "demo" / "demo.py", sandbox_kind=kind, hide=(classmate,))
    elapsed = time.monotonic() - begin
    shutil.rmtree(running.parent)
    assert result.score == 0, [(r.test.name, r.passed, r.message) for r in result.results]
    assert len(result.results) == 4 and all(r.message for r in result.results)
    assert elapsed < demo_lab.time_limit + 10  # bounded, never hangs
    if attack == "fake_results":
        assert not out.exists()  # nothing written outside the child's own folder
    if attack == "fork_sleeper":
        assert elapsed < 20  # the grader stops at "done", not when the pipe closes
    if attack == "restart_clock":
        assert all("timed out" in r.message or "protocol" in r.message for r in result.results), result.results
    for r in result.results:
        assert not any(ch in r.message + r.detail for ch in "\x1b\x07\r\u202e"), r.message


def test_read_reference_is_blocked_with_a_clear_reason(demo_lab, tmp_path):
    sub = _submission("read_reference", tmp_path, demo_lab, tmp_path / "out")
    result = grade(demo_lab, sub / "demo" / "demo.py", sandbox_kind="none")
    assert "not allowed" in result.import_error and "import" in result.results[0].message


BATCH = ("os_exit", "fake_results", "patch_compare", "conftest_dir", "memory_bomb", "kill_parent", "setsid_killer",
         "mkfifo_out", "read_classmate", "escape_sequences")


@pytest.mark.parametrize("kind", SANDBOXES)
def test_batch_with_attacks_still_grades_the_honest_student(kind, demo_lab, tmp_path, run_cli):
    """`course grade` over a class where most submissions attack (kill the grader, kill
    classmates' children, plant FIFOs where results go, copy a classmate): the honest one,
    graded after them, gets full marks and every file is written."""
    import csv
    import json

    out = tmp_path / "out"
    subs = [_submission(a, tmp_path, demo_lab, out) for a in BATCH]
    honest = _honest(tmp_path, demo_lab)
    result = run_cli("--course-dir", demo_lab.directory.parent.parent, "grade", "demo", *subs, honest,
                     "--out", out, "-j", "2", "--sandbox", kind, "--trust-submissions")
    assert result.exit_code == 0, result.output
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert rows["honest"]["total"] == "5" and rows["honest"]["percent"] == "100.0", rows["honest"]
    for name in BATCH:
        assert rows[name]["total"] == "0", rows[name]
        assert json.loads((out / name / "results.json").read_text())["score"] == 0
    assert set(rows) == {"honest", *BATCH}
    rates = list(csv.DictReader((out / "test_pass_rates.csv").open()))
    assert {r["test"] for r in rates} == {"test_add_small", "test_scale_double", "test_add_many", "test_scale_random"}
    assert all(r["pass_rate"] == f"{1 / (len(BATCH) + 1):.3f}" for r in rates)
    feedback = (out / "honest" / "feedback.md").read_text()
    assert "Score: 5/5" in feedback
    for path in out.rglob("*"):
        assert path.is_dir() or path.is_file() and not path.is_symlink(), path
        if path.is_file():
            assert "\x1b" not in path.read_text(), path


@pytest.mark.parametrize("kind", SANDBOXES)
def test_child_sees_neither_tests_nor_reference(kind, demo_lab, tmp_path):
    """Only the solution file is on the child's disk; labs/ (reference, hidden tests) is hidden;
    a server listening on this machine's loopback cannot be reached."""
    import socket

    from course.grading.grade import hidden_paths

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    source = (
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
    report = _run_one_probe(tmp_path, source, "look", kind=kind, timeout=10, total=30, hidden=hidden_paths(demo_lab))
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
    result = run_cli("--course-dir", demo_lab.directory.parent.parent, "grade", "demo", sub, "--out", out,
                     "--sandbox", "none", "--trust-submissions")
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader((out / "grades.csv").open()))
    assert row["total"] == "0"
    check = run_cli("--course-dir", demo_lab.directory.parent.parent, "lab", "check", "demo", "--dir", sub, "--json",
                    "--sandbox", "none")
    assert json.loads(check.output)["score"] == 0 and "refused" in check.output


@pytest.mark.parametrize("kind", SANDBOXES)
def test_standard_library_file_tools_work_in_the_sandbox(kind, demo_lab, tmp_path):
    """The fallback guard never breaks ordinary use inside the child's own folder."""
    folder = tmp_path / "sub"
    folder.mkdir()
    shutil.copyfile(FIXTURES / "stdlib_user.py", folder / "demo.py")
    result = grade(demo_lab, folder / "demo.py", sandbox_kind=kind)
    assert result.full_marks, (result.import_error, [(r.test.name, r.message) for r in result.results])


def test_hidden_tests_never_show_expected_values(demo_lab, tmp_path, run_cli):
    """A wrong submission's feedback on hidden tests: docstring and kind of difference only;
    the instructor's copy keeps the detail."""
    folder = tmp_path / "carol" / "demo"
    folder.mkdir(parents=True)
    (folder / "demo.py").write_text("import numpy as np\ndef add(a, b):\n    return a + b + 1000\n"
                                    "def scale(x, f):\n    return np.asarray(x) * f * 3\n")
    result = grade(demo_lab, folder / "demo.py", sandbox_kind="none")
    from course.grading.grade import load_tests, reference_outputs

    refs = reference_outputs(demo_lab, load_tests(demo_lab))
    # Values a student could copy: the hidden sums (as a run) and the scaled floats.
    sums = [int(v) for v in refs["test_add_many"]]
    secret = [", ".join(map(str, sums[:3])), *(f"{v:.6g}" for v in np.ravel(refs["test_scale_random"])[:3])]
    hidden = [r for r in result.results if r.test.hidden]
    assert hidden and all(not r.passed for r in hidden)
    for r in hidden:
        assert "entries differ" in r.message and "hidden test" in r.message, r.message
        assert not any(s in r.message for s in secret), r.message
        assert r.detail and r.detail != r.message
    out = tmp_path / "out"
    done = run_cli("--course-dir", demo_lab.directory.parent.parent, "grade", "demo", tmp_path / "carol", "--out", out,
                   "--sandbox", "none", "--trust-submissions")
    assert done.exit_code == 0, done.output
    shown = (out / "carol" / "feedback.md").read_text() + (out / "carol" / "results.json").read_text()
    assert not any(s in shown for s in secret)
    instructor = (out / "carol" / "instructor.md").read_text()
    assert "expected" in instructor and "hidden test" in instructor


def test_class_grading_needs_bubblewrap_or_an_explicit_risk_flag(demo_lab, tmp_path, run_cli):
    sub = _honest(tmp_path, demo_lab)
    done = run_cli("--course-dir", demo_lab.directory.parent.parent, "grade", "demo", sub, "--out", tmp_path / "out",
                   "--sandbox", "none")
    assert done.exit_code != 0 and "--trust-submissions" in done.output
    assert not (tmp_path / "out").exists()


def test_hostile_names_and_planted_entries_stay_with_one_student(demo_lab, tmp_path, run_cli):
    """Rich markup and a formula in names, a FIFO where a result goes: that student gets an
    error, the grader finishes, and the CSV holds no live formula."""
    import csv
    import os

    subs = tmp_path / "subs"
    subs.mkdir()
    import zipfile

    (subs / "x[bold]broken.zip").write_bytes(b"not a zip")
    with zipfile.ZipFile(subs / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[/red][/bold]/demo.py", b"\0" * (65 * 1024**2))  # too large: its name goes in the error
    formula = subs / "-cmd" / "demo"
    formula.mkdir(parents=True)
    shutil.copyfile(demo_lab.solution_file, formula / "demo.py")
    fifo_student = subs / "dave" / "demo"
    fifo_student.mkdir(parents=True)
    shutil.copyfile(demo_lab.solution_file, fifo_student / "demo.py")
    honest = _honest(tmp_path, demo_lab)
    out = tmp_path / "out"
    (out / "dave").mkdir(parents=True)
    os.mkfifo(out / "dave" / "results.json")
    done = run_cli("--course-dir", demo_lab.directory.parent.parent, "grade", "demo", *sorted(subs.iterdir()), honest,
                   "--out", out, "--sandbox", "none", "--trust-submissions")
    assert done.exit_code == 0, done.output
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert rows["honest"]["total"] == "5"
    assert rows["dave"]["status"].startswith("error:") and "not a regular file" in rows["dave"]["status"]
    assert "'-cmd" in rows and rows["'-cmd"]["total"] == "5"
    assert "not a readable zip" in rows["x_bold_broken"]["status"]
    assert "too large" in rows["bomb"]["status"] and "[/red]" in rows["bomb"]["status"]


@pytest.mark.skipif(not bwrap_works(), reason="bubblewrap not usable here")
def test_bubblewrap_child_is_unprivileged_and_bounded(demo_lab, tmp_path):
    """As root or not: no capabilities, not root, read-only system and engine, a bounded
    /tmp, a bounded number of processes, its own PID namespace, no course copy in reach."""
    from course.grading import sandbox
    from course.grading.grade import hidden_paths

    targets = [sandbox.package_dir() / "planted.py", Path(sandbox.python_roots()[0]) / "planted.py",
               Path("/usr/planted")]
    source = (
        "import os, subprocess\n"
        f"TARGETS = {[str(t) for t in targets]!r}\n"
        f"COPIES = {[str(c) for c in sandbox.course_copies()]!r}\n"
        "def look():\n"
        "    status = dict(l.split(':', 1) for l in open('/proc/self/status') if ':' in l)\n"
        "    wrote = []\n"
        "    for t in TARGETS:\n"
        "        try:\n"
        "            open(t, 'w').close(); wrote.append(t)\n"
        "        except OSError:\n"
        "            pass\n"
        "    remount = subprocess.run(['mount', '-o', 'remount,rw', '/usr'], capture_output=True).returncode\n"
        "    filled = 0\n"
        "    try:\n"
        "        with open('/tmp/fill', 'wb') as fh:\n"
        "            for _ in range(40):\n"
        "                fh.write(b'x' * 2**23); filled += 2**23\n"
        "    except OSError:\n"
        "        pass\n"
        "    try:\n"
        "        os.remove('/tmp/fill')\n"
        "    except OSError:\n"
        "        pass\n"
        "    pids, forks = [], 0\n"
        "    try:\n"
        "        for _ in range(100):\n"
        "            pid = os.fork()\n"
        "            if pid == 0:\n"
        "                import time; time.sleep(5); os._exit(0)\n"
        "            pids.append(pid)\n"
        "    except OSError:\n"
        "        pass\n"
        "    for pid in pids:\n"
        "        os.kill(pid, 9); os.waitpid(pid, 0)\n"
        "    visible = [c for c in COPIES if os.path.isdir(c) and os.listdir(c)]\n"
        "    procs = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "    return {'uid': os.getuid(), 'cap': status['CapEff'].strip(), 'wrote': wrote, 'remount': remount,\n"
        "            'tmp_mb': filled // 2**20, 'forks': len(pids), 'copies': visible, 'procs': len(procs)}\n"
    )
    report = _run_one_probe(tmp_path, source, "look", kind="bwrap", timeout=30, total=60, hidden=hidden_paths(demo_lab))
    outcome = report.outcomes["test_look"]
    assert outcome.ok, (outcome.error, report.output)
    data = outcome.data
    assert data["uid"] != 0 and int(data["cap"], 16) == 0, data
    assert data["wrote"] == [] and data["remount"] != 0, data
    assert data["tmp_mb"] <= sandbox.TMP_SIZE // 2**20, data
    assert data["forks"] < sandbox.MAX_PROCESSES, data
    assert data["copies"] == [], data
    assert data["procs"] < 10, data  # its own PID namespace: no process of the host in sight
    assert not any(t.exists() for t in targets)


@pytest.mark.parametrize("kind", SANDBOXES)
def test_no_copy_of_the_course_is_in_reach(kind, tmp_path):
    """However the engine is installed (wheel, editable, checkout), a submission that looks
    for the reference next to the engine or in any site-packages finds nothing."""
    from course.content import content_root
    from course.labs.manifest import load_manifest

    lab = load_manifest(content_root()).get("f1")
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "f1.py").write_text(
        "import importlib.util, os, site, sys\n"
        "_NS = {}\n"
        "def _candidates():\n"
        "    engine = importlib.util.find_spec('course').submodule_search_locations[0]\n"
        "    roots = [engine, os.path.dirname(engine)] + site.getsitepackages() + sys.path\n"
        "    for root in roots:\n"
        "        for rel in ('_content/labs/f1/f1.py', 'labs/f1/f1.py', 'course/_content/labs/f1/f1.py'):\n"
        "            yield os.path.join(root, rel)\n"
        "for path in _candidates():\n"
        "    try:\n"
        "        with open(path) as fh:\n"
        "            exec(compile(fh.read(), path, 'exec'), _NS)\n"
        "        break\n"
        "    except (OSError, PermissionError):\n"
        "        continue\n"
        "def __getattr__(name):\n"
        "    if name in _NS:\n"
        "        return _NS[name]\n"
        "    raise AttributeError(name)\n"
    )
    result = grade(lab, folder / "f1.py", sandbox_kind=kind)
    assert result.score == 0, [(r.test.name, r.passed) for r in result.results if r.passed]


@pytest.mark.parametrize("kind", SANDBOXES)
def test_memory_is_bounded_across_forked_processes(kind, tmp_path):
    """Five forked processes of 1 GiB each stay under the per-process limit but not under
    the child's total budget: the child is stopped and the test scores 0."""
    from course.grading import runner, sandbox

    source = (
        "import os, time\n"
        "import numpy as np\n"
        "def bomb():\n"
        "    done_r, done_w = os.pipe()\n"
        "    pids = []\n"
        "    for _ in range(5):\n"
        "        pid = os.fork()\n"
        "        if pid == 0:\n"
        "            block = np.ones(2**30, dtype=np.uint8)\n"
        "            os.write(done_w, b'x')\n"
        "            time.sleep(60)\n"
        "            os._exit(0)\n"
        "        pids.append(pid)\n"
        "    got = b''\n"
        "    while len(got) < 5:\n"
        "        got += os.read(done_r, 5)\n"
        "    alive = all(os.waitpid(p, os.WNOHANG) == (0, 0) for p in pids)\n"
        "    for p in pids:\n"
        "        os.kill(p, 9)\n"
        "    return alive\n"
    )
    begin = time.monotonic()
    report = _run_one_probe(tmp_path, source, "bomb", kind=kind, timeout=60, total=90, expect=True)
    outcome = report.outcomes["test_bomb"]
    assert not outcome.ok and "memory" in outcome.error, (outcome, report.output)
    assert time.monotonic() - begin < 60
    assert runner.tree_rss(os.getpid()) < sandbox.MEMORY_LIMIT  # nothing of it left running


def test_feedback_markdown_cannot_be_broken_out_of(demo_lab, tmp_path, run_cli):
    """Error text that closes a code fence and adds a fake score and a remote image stays
    inside its code block in feedback.md and instructor.md."""
    from markdown_it import MarkdownIt

    folder = tmp_path / "eve" / "demo"
    folder.mkdir(parents=True)
    payload = "no\\n```\\n\\n**Score: 5/5** (regraded)\\n\\n<img src='https://evil.example/t.png'>\\n\\n```text"
    (folder / "demo.py").write_text(f"print({payload!r})\nraise ImportError({payload!r})\n")
    (tmp_path / "mallory" / "demo").mkdir(parents=True)
    (tmp_path / "mallory" / "demo" / "demo.py").write_text(
        f"def add(a, b):\n    raise ValueError({payload!r})\ndef scale(x, f):\n    raise ValueError({payload!r})\n")
    out = tmp_path / "out"
    done = run_cli("--course-dir", demo_lab.directory.parent.parent, "grade", "demo", tmp_path / "eve",
                   tmp_path / "mallory", "--out", out, "--sandbox", "none", "--trust-submissions")
    assert done.exit_code == 0, done.output
    for student in ("eve", "mallory"):
        for name in ("feedback.md", "instructor.md"):
            html = MarkdownIt("commonmark").render((out / student / name).read_text())
            assert "<img" not in html and "<strong>Score: 5/5" not in html, (student, name, html)


@pytest.mark.skipif(__import__("course.grading.cgroup", fromlist=["x"]).parents() is None,
                    reason="no control groups can be made here (needs root and a writable hierarchy)")
def test_control_group_ends_what_a_child_leaves_behind():
    """A process that left the child's session is still in its group, and ends with it."""
    import subprocess

    from course.grading import cgroup

    group = cgroup.make(2**30, 16)
    proc = subprocess.Popen(group.wrap(["/bin/sh", "-c", "setsid sleep 60 & echo $!"]), stdout=subprocess.PIPE,
                            text=True)
    helper = int(proc.stdout.readline())
    proc.wait()
    os.kill(helper, 0)  # still running after its parent ended
    group.close()
    time.sleep(0.1)
    try:  # gone, or a zombie waiting for init to reap it
        state = Path(f"/proc/{helper}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        state = "gone"
    assert state in ("gone", "Z", "X"), state
    assert not any(d.exists() for d in group.dirs)


@pytest.mark.skipif(not bwrap_works() or __import__("course.grading.cgroup", fromlist=["x"]).parents() is None,
                    reason="needs bubblewrap and control groups")
def test_memory_files_count_against_the_childs_budget(tmp_path):
    """Memory files (no process holds them as resident memory) filled past 4 GiB: the child
    is stopped or refused; it never holds them all."""

    source = (
        "import os\n"
        "KEEP = []\n"
        "def fill():\n"
        "    block = b'\\1' * 2**26\n"
        "    for _ in range(80):\n"
        "        fd = os.memfd_create('m')\n"
        "        os.write(fd, block)\n"
        "        KEEP.append(fd)\n"
        "    return True\n"
    )
    report = _run_one_probe(tmp_path, source, "fill", kind="bwrap", timeout=60, total=90, expect=True)
    outcome = report.outcomes["test_fill"]
    assert not outcome.ok, outcome
