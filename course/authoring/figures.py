"""Draw a lab's figures for the cards: the reference's ``make_figures(folder)``, in a child
process (the reference may import torch and matplotlib; the CLI that asks must not)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from course.errors import CourseError
from course.labs import variants
from course.labs.manifest import Lab

# Arguments, not source built from them: a folder name is data, never code.
_DRAW = """
import importlib, pathlib, sys
folder, slug, target = sys.argv[1:4]
sys.path.insert(0, folder)
for path in importlib.import_module(slug).make_figures(pathlib.Path(target)):
    print(path)
"""


def draw_figures(lab: Lab, target: Path) -> list[str]:
    """The paths ``make_figures`` wrote into ``target``."""
    with tempfile.TemporaryDirectory() as tmp:
        variants.write_variant(variants.reference_source(lab), Path(tmp), lab)
        done = subprocess.run([sys.executable, "-c", _DRAW, tmp, lab.slug, str(target)], capture_output=True,
                              text=True, env={**os.environ, "MPLBACKEND": "Agg"})
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise CourseError(f"lab {lab.slug}: make_figures failed: {last}")
    return done.stdout.splitlines()
