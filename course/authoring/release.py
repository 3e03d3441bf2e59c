"""``course release``: what an instructor hands out.

* the student edition: lessons, stubs, public tests, hints and cards; no reference
  solutions, no hidden tests, no planted bugs. It is itself a course folder
  (``course --course-dir EDITION ...``).
* a Gradescope autograder zip (``setup.sh``, ``run_autograder`` and the engine with the
  one lab it grades, hidden tests included), which always writes
  ``/autograder/results/results.json``.
* a GitHub Classroom starter repository with an autograding workflow; it holds the student
  edition, so it runs the public tests only and its points are theirs.

Every output is built in a temporary folder and moved into place whole, readable by others
(files 0666 and folders 0777, less the umask).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from course.content import package_dir
from course.files import atomic_write_bytes, make_temp_dir
from course.labs.manifest import EDITION_MARK, Lab, Manifest
from course.labs.variants import student_files

_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "_content")


def _copy_tree(src: Path, dest: Path, ignore=_IGNORE) -> None:
    """Copy a folder with new files' permissions (0666/0777 less the umask), not the source's."""
    names = sorted(os.listdir(src))
    skip = ignore(str(src), names)
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        if name in skip:
            continue
        if (src / name).is_dir():
            _copy_tree(src / name, dest / name, ignore)
        else:
            shutil.copyfile(src / name, dest / name)


@contextlib.contextmanager
def _folder_in_place_of(target: Path):
    """Yield a temporary folder beside ``target``; on success it replaces ``target`` whole."""
    tmp = make_temp_dir(target.parent, f".{target.name}.")
    try:
        yield tmp
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        tmp.replace(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_student_content(root: Path, manifest: Manifest, dest: Path) -> None:
    """cards/ as is; each lab with its stub as the solution file and public tests only."""
    _copy_tree(root / "cards", dest / "cards")
    labs = dest / "labs"
    labs.mkdir(parents=True)
    shutil.copyfile(manifest.path, labs / "manifest.toml")
    (labs / EDITION_MARK).write_text(
        "This is the student edition of the course: each lab's <slug>.py is the stub, its tests are\n"
        "the public ones, and no reference solutions or hidden tests are included.\n",
        encoding="utf-8",
    )
    for readme in (root / "labs" / "README.md",):
        if readme.is_file():
            shutil.copyfile(readme, labs / "README.md")
    for lab in manifest.labs:
        out = labs / lab.slug
        out.mkdir()
        for name in ("lab.toml", "hints.md"):
            if (lab.directory / name).is_file():
                shutil.copyfile(lab.directory / name, out / name)
        for name, text in student_files(lab).items():
            (out / name).write_text(text, encoding="utf-8")


def student_edition(root: Path, manifest: Manifest, target: Path) -> None:
    with _folder_in_place_of(target) as tmp:
        _write_student_content(root, manifest, tmp)


def _pyproject(content: tuple[str, ...] = ("cards", "labs")) -> str:
    requires = [r for r in importlib.metadata.requires("mmd-course") or [] if "extra ==" not in r]
    deps = ",\n".join(f'    "{r}"' for r in requires)
    version = importlib.metadata.version("mmd-course")
    return f"""[build-system]
requires = ["hatchling>=1.24"]
build-backend = "hatchling.build"

[project]
name = "mmd-course"
version = "{version}"
requires-python = ">=3.11"
dependencies = [
{deps}
]

[project.scripts]
course = "course.cli:main"

[tool.hatch.build.targets.wheel]
packages = ["course"]

[tool.hatch.build.targets.wheel.force-include]
""" + "".join(f'"{name}" = "course/_content/{name}"\n' for name in content)


def _write_engine(dest: Path, content_writer, content: tuple[str, ...] = ("cards", "labs")) -> None:
    """An installable copy of the engine with the given content (top folders ``content``) beside it."""
    _copy_tree(package_dir(), dest / "course")
    (dest / "pyproject.toml").write_text(_pyproject(content), encoding="utf-8")
    (dest / "README.md").write_text("Model Monitoring and Debugging course engine (bundled copy).\n", encoding="utf-8")
    content_writer(dest)


SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, with network access, when it builds the autograder image.
# The engine needs Python 3.11 or newer: when the image's python3 is older, uv installs one.
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
apt-get update
apt-get install -y bubblewrap python3 python3-pip python3-venv curl ca-certificates
python=python3
version=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 0.0)
major=${version%%.*}
minor=${version#*.}
if [ "$major" -lt 3 ] || { [ "$major" -eq 3 ] && [ "$minor" -lt 11 ]; }; then
  echo "setup.sh: python3 is $version, older than 3.11: installing Python 3.11 with uv"
  if ! command -v uv >/dev/null 2>&1; then
    curl -LsSf https://astral.sh/uv/install.sh | env UV_INSTALL_DIR="$root/uv" UV_NO_MODIFY_PATH=1 sh
    export PATH="$root/uv:$PATH"
  fi
  export UV_PYTHON_INSTALL_DIR="$root/python"
  uv python install 3.11
  python=$(uv python find 3.11)
fi
"$python" -m venv "$root/venv"
"$root/venv/bin/python" -m pip install --upgrade pip
"$root/venv/bin/python" -m pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
"$root/venv/bin/python" -m pip install "$root/source/engine"
"""

RUN_AUTOGRADER = ("""#!/usr/bin/env bash
# Gradescope runs this for every submission; it must always leave results.json.
root="${{AUTOGRADER_ROOT:-/autograder}}"
mkdir -p "$root/results"
out=$(mktemp -d)
# One submission per container: where Docker allows no bubblewrap, the audit guard is the
# sandbox (--trust-submissions), and nothing of another student's is in reach.
"$root/venv/bin/course" grade {slug} "$root/submission" --out "$out" --trust-submissions --no-report || true
if [ -f "$out/submission/results.json" ]; then
  cp "$out/submission/results.json" "$root/results/results.json"
else
  echo '{{"score": 0, "output": "The autograder could not grade this submission; """
                  """please contact your instructor.", "tests": []}}' \\
    > "$root/results/results.json"
fi
""")


def _write_one_lab(lab: Lab, dest: Path) -> None:
    """labs/ with ``lab`` alone (reference and hidden tests included, planted bugs left out)."""
    labs = dest / "labs"
    labs.mkdir(parents=True)
    (labs / "manifest.toml").write_text(f'order = ["{lab.slug}"]\n', encoding="utf-8")
    _copy_tree(lab.directory, labs / lab.slug, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "bugs"))


def gradescope_zip(root: Path, lab: Lab, target: Path) -> None:
    """The autograder of ``lab``: its own solution and tests only, never the other labs'."""
    import io

    with tempfile.TemporaryDirectory() as tmp:
        engine = Path(tmp) / "engine"
        _write_engine(engine, lambda dest: _write_one_lab(lab, dest), content=("labs",))
        scripts = {"setup.sh": SETUP_SH, "run_autograder": RUN_AUTOGRADER.format(slug=lab.slug)}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in scripts.items():
                info = zipfile.ZipInfo(name)
                info.external_attr = 0o755 << 16
                zf.writestr(info, text)
            for path in sorted(engine.rglob("*")):
                if path.is_file():
                    zf.write(path, Path("engine") / path.relative_to(engine))
        atomic_write_bytes(target, buffer.getvalue())


WORKFLOW_HEAD = """name: Autograding Tests
on: [push, workflow_dispatch, repository_dispatch]
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install the course engine (CPU-only torch first)
        run: |
          sudo apt-get update && sudo apt-get install -y bubblewrap
          pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
          pip install ./engine
"""

WORKFLOW_STEP = """      - name: {slug}
        id: {slug}
        uses: classroom-resources/autograding-command-grader@v1
        with:
          test-name: {slug}
          command: course lab check {slug} --dir work
          timeout: 10
          max-score: {points}
"""


def public_points(lab: Lab) -> float:
    """The points of the lab's public tests: all that the student edition can run."""
    from course.grading.grade import load_tests

    return sum(t.points for t in load_tests(lab) if not t.hidden)


def github_classroom(root: Path, manifest: Manifest, target: Path) -> None:
    """A starter repository: engine/ (student edition inside), work/<lab>/, the workflow.

    The repository holds public tests only, so each lab's step is worth its public points.
    """
    points = {lab.slug: public_points(lab) for lab in manifest.labs}
    with _folder_in_place_of(target) as tmp:
        _write_engine(tmp / "engine", lambda dest: _write_student_content(root, manifest, dest))
        for lab in manifest.labs:
            work = tmp / "work" / lab.slug
            work.mkdir(parents=True)
            for name, text in student_files(lab).items():
                (work / name).write_text(text, encoding="utf-8")
        steps = "".join(WORKFLOW_STEP.format(slug=lab.slug, points=f"{points[lab.slug]:g}") for lab in manifest.labs)
        env = "".join(f'          {lab.slug.upper()}_RESULTS: "${{{{steps.{lab.slug}.outputs.result}}}}"\n'
                      for lab in manifest.labs)
        reporter = (
            "      - name: Autograding Reporter\n"
            "        uses: classroom-resources/autograding-grading-reporter@v1\n"
            "        env:\n" + env + "        with:\n"
            f"          runners: {','.join(lab.slug for lab in manifest.labs)}\n"
        )
        workflow = tmp / ".github" / "workflows" / "classroom.yml"
        workflow.parent.mkdir(parents=True)
        workflow.write_text(WORKFLOW_HEAD + steps + reporter, encoding="utf-8")
        (tmp / "README.md").write_text(
            "# Model Monitoring and Debugging: labs\n\nWork in `work/<lab>/<lab>.py`. Check locally with\n"
            "`pip install ./engine && course lab check <lab> --dir work`. Every push is graded: a lab scores\n"
            "its points when all of its public tests (the ones in `work/<lab>/`) pass.\n\n"
            "| lab | points |\n|---|---|\n" + "".join(f"| {slug} | {p:g} |\n" for slug, p in points.items()),
            encoding="utf-8",
        )
