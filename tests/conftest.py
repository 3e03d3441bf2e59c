"""Shared fixtures: a small self-contained demo course, sandbox kinds, the CLI runner."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def _fresh_user_folders() -> None:
    """Empty user cache, data and config folders (and HOME) for the whole run: nothing an
    earlier run computed, such as a reference-output cache, can make a test pass."""
    base = Path(tempfile.mkdtemp(prefix="course-tests-home-"))
    for var in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        os.environ[var] = str(base / var.lower())
    os.environ["HOME"] = str(base / "home")
    os.environ.pop("COURSE_DIR", None)
    os.environ.pop("COURSE_SANDBOX", None)
    (base / "home").mkdir()


_fresh_user_folders()  # before anything below asks platformdirs where the folders are

import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from course.grading import sandbox  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent

SANDBOXES = ["none", pytest.param("bwrap", marks=pytest.mark.skipif(not sandbox.bwrap_works(),
                                                                    reason="bubblewrap not usable here"))]


def load_module(path: Path, name: str):
    """Import a lab's reference solution (or any file) as a module, registered under ``name``."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def demo_course(tmp_path: Path) -> Path:
    """A copy of the demo course (one lab, three cards) that a test may change."""
    target = tmp_path / "demo_course"
    shutil.copytree(FIXTURES / "demo_course", target)
    return target


@pytest.fixture
def demo_lab(demo_course: Path):
    from course.labs.manifest import load_manifest

    return load_manifest(demo_course).get("demo")


@pytest.fixture
def run_cli():
    """Invoke ``course`` in-process; returns click's Result."""

    def run(*args: str, **kwargs):
        from course.cli import main

        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)

    return run
