"""The wheel carries the content: install it into a fresh virtualenv and use it from there."""

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    built = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist),
                            str(REPO)], capture_output=True, text=True)
    if built.returncode != 0:
        pytest.fail(built.stdout[-2000:] + built.stderr[-2000:])
    wheel = next(dist.glob("*.whl"))
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    # Dependencies come from this environment (no network); the package itself only from the wheel.
    site = next((env_dir / "lib").glob("python*/site-packages"))
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (site / "zz_deps.pth").write_text("\n".join(deps) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(site),
                    str(wheel)], check=True, capture_output=True)
    return python, tmp


def test_wheel_exports_the_deck_and_grades_from_a_fresh_venv(wheel_venv):
    python, tmp = wheel_venv
    work = tmp / "cwd"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_DIR", "PYTHONPATH")}
    where = subprocess.run([str(python), "-c", "import course.content as c; print(c.content_root())"],
                           capture_output=True, text=True, cwd=work, env=env, check=True).stdout.strip()
    assert where.endswith(os.path.join("site-packages", "course", "_content")), where
    out = work / "deck.apkg"
    done = subprocess.run([str(python), "-m", "course", "export", "anki", "-o", str(out)], capture_output=True,
                          text=True, cwd=work, env=env)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 10_000
    labs = subprocess.run([str(python), "-m", "course", "lab", "list", "--json"], capture_output=True, text=True,
                          cwd=work, env=env, check=True).stdout
    assert '"f1"' in labs
    start = subprocess.run([str(python), "-m", "course", "lab", "start", "f1"], capture_output=True, text=True,
                           cwd=work, env=env)
    assert start.returncode == 0, start.stderr
    assert (work / "course-work" / "f1" / "f1.py").is_file()
    assert not list(Path(where).glob("**/course-work"))  # nothing written into the installed package
    check = subprocess.run([str(python), "-m", "course", "lab", "check", "f1", "--reference", "--json"],
                           capture_output=True, text=True, cwd=work, env=env)
    assert check.returncode == 0, check.stderr[-2000:]
    data = json.loads(check.stdout)
    assert data["score"] == data["max_score"] > 0


def test_editable_install_carries_no_copy_of_the_course(tmp_path):
    """An editable install finds the content in the checkout; a copy in site-packages would
    be one more place for the grading sandbox to hide (students could import the reference)."""
    import zipfile

    built = subprocess.run([sys.executable, "-c",
                            "from hatchling.build import build_editable; "
                            f"print(build_editable({str(tmp_path)!r}))"],
                           capture_output=True, text=True, cwd=REPO)
    assert built.returncode == 0, built.stderr[-2000:]
    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    assert not any("_content" in n for n in names), [n for n in names if "_content" in n][:5]
