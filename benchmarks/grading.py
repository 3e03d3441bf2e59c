"""Benchmark: grading time per lab, and class-grading throughput.

Prints the wall-clock time of grading each lab's reference solution (what a student's
`course lab check` costs, reference outputs cached), then the throughput of `course grade`
on 30 copies of one submission with -j 1 and -j 2.

    python benchmarks/grading.py [--lab f1] [--copies 30] [--sandbox auto|bwrap|none]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", default="f1", help="Lab for the throughput run.")
    parser.add_argument("--copies", type=int, default=30)
    parser.add_argument("--sandbox", default=None)
    args = parser.parse_args()

    from course import variants
    from course.content import content_root
    from course.grading import sandbox
    from course.grading.grade import grade, load_tests, reference_outputs
    from course.manifest import load_manifest

    manifest = load_manifest(content_root())
    kind = sandbox.choose(args.sandbox)
    print(f"sandbox: {kind}")
    print(f"{'lab':<12} {'tests':>5} {'check (s)':>10} {'score':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for lab in manifest.labs:
            reference_outputs(lab, load_tests(lab))  # warm the reference cache, as after a first run
            path = variants.write_variant(variants.reference_source(lab), Path(tmp) / lab.slug, lab)
            start = time.perf_counter()
            result = grade(lab, path, sandbox_kind=kind)
            elapsed = time.perf_counter() - start
            print(f"{lab.slug:<12} {len(result.results):>5} {elapsed:>10.2f} {result.score:>4g}/{result.max_score:g}")

        lab = manifest.get(args.lab)
        subs = Path(tmp) / "subs"
        source = variants.write_variant(variants.reference_source(lab), Path(tmp) / "one" / lab.slug, lab)
        for i in range(args.copies):
            shutil.copytree(source.parent, subs / f"student{i:02d}" / lab.slug)
        for jobs in (1, 2):
            out = Path(tmp) / f"out{jobs}"
            cmd = [sys.executable, "-m", "course", "grade", lab.slug, *sorted(map(str, subs.iterdir())),
                   "--out", str(out), "-j", str(jobs)] + (["--sandbox", kind])
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            elapsed = time.perf_counter() - start
            print(f"course grade {lab.slug}, {args.copies} submissions, -j {jobs}: {elapsed:.1f} s "
                  f"({args.copies / elapsed:.2f} submissions/s)")


if __name__ == "__main__":
    main()
