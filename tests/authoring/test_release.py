"""What an instructor ships: the Gradescope autograder (one lab, any python3), the GitHub
Classroom repository (points that match what runs there), and outputs others can read."""

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


@pytest.fixture
def two_labs(demo_course: Path) -> Path:
    """The demo course with a second lab, ``other``, whose files must not leak into demo's zip."""
    other = demo_course / "labs" / "other"
    shutil.copytree(demo_course / "labs" / "demo", other)
    for name in ("demo.py", "test_demo.py"):
        (other / name).rename(other / name.replace("demo", "other"))
    (demo_course / "labs" / "manifest.toml").write_text('order = ["demo", "other"]\n')
    return demo_course


def test_gradescope_zip_ships_only_the_lab_it_grades(two_labs, tmp_path, run_cli):
    out = tmp_path / "other.zip"
    result = run_cli("--course-dir", two_labs, "release", "--gradescope", "other", "--out", out)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        pyproject = zf.read("engine/pyproject.toml").decode()
        manifest = zf.read("engine/labs/manifest.toml").decode()
    content = {n for n in names if n.startswith("engine/") and not n.startswith("engine/course/")}
    assert content == {"engine/pyproject.toml", "engine/README.md", "engine/labs/manifest.toml"} | {
        f"engine/labs/other/{name}" for name in ("README.md", "hints.md", "lab.toml", "other.py", "test_other.py")}
    assert "BEGIN HIDDEN TESTS" in zipfile.ZipFile(out).read("engine/labs/other/test_other.py").decode()
    assert manifest == 'order = ["other"]\n'
    assert '"labs" = "course/_content/labs"' in pyproject and "cards" not in pyproject


def test_gradescope_engine_builds_a_wheel_with_its_one_lab(two_labs, tmp_path, run_cli):
    out = tmp_path / "demo.zip"
    run_cli("--course-dir", two_labs, "release", "--gradescope", "demo", "--out", out)
    with zipfile.ZipFile(out) as zf:
        zf.extractall(tmp_path / "source")
    built = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                            str(tmp_path / "dist"), str(tmp_path / "source" / "engine")],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    with zipfile.ZipFile(next((tmp_path / "dist").glob("*.whl"))) as wheel:
        content = {n for n in wheel.namelist() if n.startswith("course/_content/")}
    assert "course/_content/labs/demo/test_demo.py" in content and "course/_content/labs/manifest.toml" in content
    assert not [n for n in content if n.startswith(("course/_content/cards", "course/_content/labs/other"))]


def _shim(path: Path, body: str) -> None:
    path.write_text("#!/usr/bin/env bash\n" + body)
    path.chmod(0o755)


def _fake_environment(tmp_path: Path, system_version: str) -> tuple[Path, Path, dict]:
    """A fake /autograder root and a PATH whose python3 is ``system_version``.

    No network: apt-get, uv and curl are shims that log their arguments; a fake Python 3.11
    makes venvs whose pip "installs" the engine as a ``course`` wrapper that runs the
    engine's own copy with this interpreter.
    """
    root = tmp_path / "autograder"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    logs = tmp_path / "logs"
    logs.mkdir()
    venv_python = bin_dir / "venv-python"  # what a venv's bin/python does
    _shim(venv_python, f"""echo "$*" >> {logs}/pip
if [ "$1 $2 $3" = "-m pip install" ]; then
  for arg in "$@"; do
    if [ -f "$arg/pyproject.toml" ]; then
      printf '#!/usr/bin/env bash\\nPYTHONPATH=%s exec {sys.executable} -P -m course "$@"\\n' "$arg" """
                f"""> "$(dirname "$0")/course"
      chmod +x "$(dirname "$0")/course"
    fi
  done
fi
""")

    def fake_python(name: str, version: str) -> Path:
        path = bin_dir / name
        _shim(path, f"""echo "$*" >> {logs}/{name}
case "$1" in
  -c) echo {version} ;;
  --version) echo "Python {version}.0" ;;
  -m) [ "$2" = venv ] || exit 1; mkdir -p "$3/bin"; cp {venv_python} "$3/bin/python" ;;
  *) exit 1 ;;
esac
""")
        return path

    fake_python("python3", system_version)
    python311 = fake_python("python3.11", "3.11")
    _shim(bin_dir / "apt-get", f'echo "$*" >> {logs}/apt-get\n')
    _shim(bin_dir / "curl", f'echo "$*" >> {logs}/curl\nexit 7\n')
    _shim(bin_dir / "uv", f"""echo "$*" >> {logs}/uv
case "$1 $2" in
  "python install") ;;
  "python find") echo {python311} ;;
  *) exit 1 ;;
esac
""")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "AUTOGRADER_ROOT": str(root),
           "COURSE_SANDBOX": "none"}
    env.pop("COURSE_DIR", None)
    return root, logs, env


def _log(logs: Path, name: str) -> str:
    path = logs / name
    return path.read_text() if path.is_file() else ""


@pytest.mark.parametrize("system_version", ["3.8", "3.12"])
def test_gradescope_setup_and_run_autograder_in_a_fake_root(system_version, two_labs, tmp_path, run_cli):
    out = tmp_path / "other.zip"
    run_cli("--course-dir", two_labs, "release", "--gradescope", "other", "--out", out)
    root, logs, env = _fake_environment(tmp_path, system_version)
    with zipfile.ZipFile(out) as zf:
        zf.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        (root / "source" / script).chmod(0o755)
    assert shutil.which("python3", path=env["PATH"]) == str(tmp_path / "bin" / "python3")

    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "bubblewrap" in _log(logs, "apt-get")
    if system_version == "3.8":  # too old: uv brings 3.11, and the venv is made with it
        assert "older than 3.11" in setup.stdout
        assert "python install 3.11" in _log(logs, "uv")
        assert "-m venv" in _log(logs, "python3.11") and "-m venv" not in _log(logs, "python3")
    else:
        assert not _log(logs, "uv") and "-m venv" in _log(logs, "python3")
    assert not _log(logs, "curl")  # uv was on PATH already
    pip = _log(logs, "pip")
    assert "--index-url https://download.pytorch.org/whl/cpu" in pip and f"install {root}/source/engine" in pip

    submission = root / "submission" / "other"
    submission.mkdir(parents=True)
    submission.joinpath("other.py").write_text((two_labs / "labs" / "other" / "other.py").read_text())
    run = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert (results.get("score") == results.get("max_score") == 5
            and results["lab"] == "other"), (results, run.stdout, run.stderr)


def test_classroom_points_are_those_of_the_tests_it_runs(two_labs, tmp_path, run_cli):
    out = tmp_path / "classroom"
    assert run_cli("--course-dir", two_labs, "release", "--github-classroom", "--out", out).exit_code == 0
    workflow = (out / ".github" / "workflows" / "classroom.yml").read_text()
    readme = (out / "README.md").read_text()
    work = out / "work"
    for slug in ("demo", "other"):
        (work / slug / f"{slug}.py").write_text((two_labs / "labs" / slug / f"{slug}.py").read_text())
        # Exactly the step's command, run with the repository's engine.
        check = run_cli("--course-dir", out / "engine", "lab", "check", slug, "--dir", work, "--json",
                        "--sandbox", "none")
        ran = json.loads(check.output)
        assert check.exit_code == 0 and ran["score"] == ran["max_score"] == 2  # the public tests, of 5 points
        step = workflow.split(f"test-name: {slug}\n")[1]
        assert "max-score: 2\n" in step.split("- name:")[0]
        assert f"| {slug} | 2 |" in readme


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask():
    def set_mask(mask: int) -> None:
        os.umask(mask)

    old = os.umask(0o022)
    yield set_mask
    os.umask(old)


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_outputs_are_readable_by_others_as_the_umask_allows(mask, umask, demo_course, tmp_path, run_cli):
    umask(mask)
    file_mode, dir_mode = 0o666 & ~mask, 0o777 & ~mask
    course = ("--course-dir", demo_course)
    assert run_cli(*course, "export", "anki", "-o", tmp_path / "deck.apkg").exit_code == 0
    assert _mode(tmp_path / "deck.apkg") == file_mode
    assert run_cli(*course, "lab", "start", "demo", "--dir", tmp_path / "work").exit_code == 0
    for path in (tmp_path / "work" / "demo").iterdir():
        assert _mode(path) == file_mode, path
    assert _mode(tmp_path / "work" / "demo") == dir_mode
    assert run_cli(*course, "release", "--gradescope", "demo", "--out", tmp_path / "ag.zip").exit_code == 0
    assert _mode(tmp_path / "ag.zip") == file_mode
    for kind in ((), ("--github-classroom",)):
        target = tmp_path / f"out{len(kind)}"
        assert run_cli(*course, "release", *kind, "--out", target).exit_code == 0
        assert _mode(target) == dir_mode
        assert all(_mode(p) == (dir_mode if p.is_dir() else file_mode) for p in target.rglob("*")
                   if not (p.is_file() and p.stat().st_mode & 0o111)), target
    submission = tmp_path / "alice"
    submission.mkdir()
    (submission / "demo.py").write_text((demo_course / "labs" / "demo" / "demo.py").read_text())
    grades = tmp_path / "grades"
    # Without bubblewrap, grading a class needs --trust-submissions (where the option exists).
    trust = ["--trust-submissions"] if "--trust-submissions" in run_cli("grade", "--help").output else []
    graded = run_cli(*course, "grade", "demo", submission, "--out", grades, "--sandbox", "none", *trust)
    assert graded.exit_code == 0 and "1 submission" in graded.output and "1 submissions" not in graded.output
    for path in (grades / "grades.csv", grades / "alice" / "results.json", grades / "alice" / "feedback.md"):
        assert _mode(path) == file_mode, path


def test_atomic_write_keeps_the_umask_and_leaves_no_temporary(umask, tmp_path):
    from course.files import atomic_write_bytes, make_temp_dir

    umask(0o077)
    atomic_write_bytes(tmp_path / "private", b"x")
    assert _mode(tmp_path / "private") == 0o600
    umask(0o002)
    atomic_write_bytes(tmp_path / "shared", b"y")
    atomic_write_bytes(tmp_path / "shared", b"z")  # replaces
    assert _mode(tmp_path / "shared") == 0o664 and (tmp_path / "shared").read_bytes() == b"z"
    assert _mode(make_temp_dir(tmp_path, ".t.")) == 0o775
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".t.")) == ["private", "shared"]
