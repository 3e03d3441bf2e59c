"""``course release``: what an instructor hands out.

* the student edition: lessons, stubs, public tests, hints and cards; no reference
  solutions, no hidden tests, no planted bugs. It is itself a course folder
  (``course --course-dir EDITION ...``).
* a Gradescope autograder zip (``setup.sh``, ``run_autograder`` and the engine with the
  full lab), which always writes ``/autograder/results/results.json``.
* a GitHub Classroom starter repository with an autograding workflow.

Every output is built in a temporary folder and moved into place whole.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import shutil
import tempfile
import zipfile
from pathlib import Path

from course.content import package_dir
from course.lock import atomic_write_bytes
from course.manifest import Lab, Manifest
from course.variants import student_files

_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "_content")


@contextlib.contextmanager
def _folder_in_place_of(target: Path):
    """Yield a temporary folder beside ``target``; on success it replaces ``target`` whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
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
    shutil.copytree(root / "cards", dest / "cards", ignore=_IGNORE)
    labs = dest / "labs"
    labs.mkdir(parents=True)
    shutil.copyfile(manifest.path, labs / "manifest.toml")
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


def _pyproject() -> str:
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
"cards" = "course/_content/cards"
"labs" = "course/_content/labs"
"""


def _write_engine(dest: Path, content_writer) -> None:
    """An installable copy of the engine with the given content beside it."""
    shutil.copytree(package_dir(), dest / "course", ignore=_IGNORE)
    (dest / "pyproject.toml").write_text(_pyproject(), encoding="utf-8")
    (dest / "README.md").write_text("Model Monitoring and Debugging course engine (bundled copy).\n", encoding="utf-8")
    content_writer(dest)


SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
apt-get update
apt-get install -y bubblewrap python3 python3-pip python3-venv
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
/autograder/venv/bin/pip install /autograder/source/engine
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it must always leave results.json.
root="${{AUTOGRADER_ROOT:-/autograder}}"
mkdir -p "$root/results"
out=$(mktemp -d)
"$root/venv/bin/course" grade {slug} "$root/submission" --out "$out" || true
if [ -f "$out/submission/results.json" ]; then
  cp "$out/submission/results.json" "$root/results/results.json"
else
  echo '{{"score": 0, "output": "The autograder could not grade this submission; please contact your instructor.", "tests": []}}' \\
    > "$root/results/results.json"
fi
"""


def gradescope_zip(root: Path, lab: Lab, target: Path) -> None:
    def content(dest: Path) -> None:
        shutil.copytree(root / "cards", dest / "cards", ignore=_IGNORE)
        shutil.copytree(root / "labs", dest / "labs", ignore=_IGNORE)

    with tempfile.TemporaryDirectory() as tmp:
        engine = Path(tmp) / "engine"
        _write_engine(engine, content)
        scripts = {"setup.sh": SETUP_SH, "run_autograder": RUN_AUTOGRADER.format(slug=lab.slug)}
        import io

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


def github_classroom(root: Path, manifest: Manifest, target: Path) -> None:
    """A starter repository: engine/ (student edition inside), work/<lab>/, the workflow."""
    with _folder_in_place_of(target) as tmp:
        _write_engine(tmp / "engine", lambda dest: _write_student_content(root, manifest, dest))
        for lab in manifest.labs:
            work = tmp / "work" / lab.slug
            work.mkdir(parents=True)
            for name, text in student_files(lab).items():
                (work / name).write_text(text, encoding="utf-8")
        steps = "".join(WORKFLOW_STEP.format(slug=lab.slug, points=int(lab.max_points)) for lab in manifest.labs)
        env = "".join(f'          {lab.slug.upper()}_RESULTS: "${{{{steps.{lab.slug}.outputs.result}}}}"\n' for lab in manifest.labs)
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
            "`pip install ./engine && course lab check <lab> --dir work`. Every push is graded; a lab scores its\n"
            "points when all of its tests pass.\n",
            encoding="utf-8",
        )
