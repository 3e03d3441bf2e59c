"""Benchmark: how long a student waits for feedback, before and after, on this machine, in one run.

For every lab, with the engine and labs of a baseline commit ("before", unpacked with
``git archive``) and of this checkout ("after"), measured alternately so that both see the
same load:

* child   the sandboxed child alone (its imports and the probes: ``runner.run_probes`` on
          the reference solution), timed in a small driver process;
* warm    ``course lab check SLUG --reference`` (the table a student reads), caches filled;
* cold    the same with an empty cache folder (reference outputs and oracles computed);
* save    ``course lab watch``: time from saving the file to the verdict (the new one-line
          verdict, or the old "Score:" line), the file rewritten every few seconds;
* run     the probes' own run time plus the student module's import: the time the
          student's code itself takes, heavy libraries already imported, measured outside
          any sandbox (see RUNTIME below), for the labs of each side;

and prints the ratios against the targets of issue 19: warm/child <= 1.3, cold/warm <= 1.2,
save/run <= 1.2. Then ``course grade`` on 30 copies of one lab's reference with -j 1 and -j 2
(default sandbox: bubblewrap where it works; ``--sandbox none`` adds --trust-submissions;
``--no-report`` where the engine draws a class report): -j 1 / -j 2 >= 1.8. Medians of
``--repeats`` runs; wall-clock time (time.perf_counter).

    python benchmarks/grading.py [--labs f1,attention] [--repeats 3] [--before ce5325e]
                                 [--grade-lab f1] [--copies 30] [--sandbox auto|bwrap|none]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASELINE = "ce5325e"  # the last commit before issue 19's work
TARGETS = {"warm/child": ("<=", 1.3), "cold/warm": ("<=", 1.2), "save/run": ("<=", 1.2)}

DRIVER = r"""
import json, sys, tempfile, time
from pathlib import Path
engine, labs_root, slug, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, engine)
try:
    from course.labs import variants
    from course.labs.manifest import load_manifest
except ImportError:  # a baseline from before the engine had subpackages
    from course import variants
    from course.manifest import load_manifest
from course.grading import runner, sandbox
from course.grading.grade import hidden_paths, load_tests
lab = load_manifest(Path(labs_root)).get(slug)
tests = load_tests(lab)
kind = sandbox.choose(sys.argv[5] or None)
out = {"child": []}
with tempfile.TemporaryDirectory() as tmp:
    path = variants.write_variant(variants.reference_source(lab), Path(tmp), lab)
    for _ in range(repeats):
        start = time.perf_counter()
        report = runner.run_probes(module=slug, solution=path, tests_file=lab.test_file, names=[t.name for t in tests],
                                   timeouts={t.name: t.timeout or lab.test_timeout for t in tests},
                                   total_timeout=lab.time_limit, hidden=hidden_paths(lab), kind=kind)
        out["child"].append(time.perf_counter() - start)
print(json.dumps(out))
"""

# The student's code's own time, as in a watcher's prepared child but with no sandbox, no
# protocol and no judging: heavy libraries and the probes imported first, then the timed part
# (importing the student's module, running every probe and encoding its data), in a fresh
# process each time, with the child's environment (one thread, Agg, an empty MPLCONFIGDIR).
RUNTIME = r"""
import importlib, json, os, sys, tempfile, time
from pathlib import Path
engine, labs_root, slug = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, engine)
import types
from course.grading import plain, testing
from course.labs import variants
from course.grading.child import _load
from course.grading.grade import preload_for
from course.grading.strip import probes_only
from course.labs.manifest import load_manifest
lab = load_manifest(Path(labs_root)).get(slug)
with tempfile.TemporaryDirectory() as tmp:
    path = variants.write_variant(variants.reference_source(lab), Path(tmp), lab)
    for name in preload_for(lab, path):
        try:
            importlib.import_module(name)
        except Exception:
            pass
    probes = types.ModuleType(f"test_{slug}")
    sys.modules[probes.__name__] = probes
    code = probes_only(lab.test_file.read_text(encoding="utf-8"), lab.test_file.name)
    exec(compile(code, lab.test_file.name, "exec"), probes.__dict__)
    tests = testing.collect(probes)
    start = time.perf_counter()
    module = _load(slug, str(path))
    for t in tests:
        try:
            plain.dumps(plain.to_plain(t.probe(module)))
        except Exception:
            pass
    print(json.dumps(time.perf_counter() - start))
"""


def cli(engine: Path) -> list[str]:
    """``course`` of one engine (a checkout or an unpacked commit), whatever is installed."""
    return [sys.executable, "-c",
            f"import sys; sys.path.insert(0, {str(engine)!r}); from course.cli import main; main()"]


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"failed: {' '.join(cmd[-6:])}\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


class Side:
    """One engine and its labs, with its own cache folder."""

    def __init__(self, name: str, root: Path, tmp: Path, sandbox_kind: str | None):
        self.name, self.root = name, root
        self.cache = tmp / f"cache-{name}"
        self.env = {**os.environ, "XDG_CACHE_HOME": str(self.cache), "PYTHONUNBUFFERED": "1", "COLUMNS": "120"}
        if sandbox_kind:
            self.env["COURSE_SANDBOX"] = sandbox_kind
        self.env.pop("COURSE_DIR", None)

    def check(self, slug: str, cold: bool = False) -> float:
        if cold:
            shutil.rmtree(self.cache, ignore_errors=True)
        return timed([*cli(self.root), "lab", "check", slug, "--reference"], self.env)

    def driver(self, labs_root: Path, slug: str, repeats: int, kind: str | None) -> dict:
        done = subprocess.run([sys.executable, "-c", DRIVER, str(self.root), str(labs_root), slug, str(repeats),
                               kind or ""], env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"driver failed for {slug}: {done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def runtime(self, labs_root: Path, slug: str) -> float:
        with tempfile.TemporaryDirectory() as home:
            env = {**self.env, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                   "MPLBACKEND": "Agg", "MPLCONFIGDIR": home, "TMPDIR": home}
            done = subprocess.run([sys.executable, "-c", RUNTIME, str(self.root), str(labs_root), slug], env=env,
                                  capture_output=True, text=True, cwd=home)
        if done.returncode != 0:
            raise SystemExit(f"runtime failed for {slug}: {done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def watch_times(side: Side, slug: str, work: Path, saves: int, think: float, new_style: bool) -> list[float]:
    """Seconds from each save of the workspace file to the verdict the watcher prints."""
    source = (side.root / "labs" / slug / f"{slug}.py").read_text(encoding="utf-8")
    folder = work / side.name
    shutil.rmtree(folder, ignore_errors=True)
    (folder / slug).mkdir(parents=True)
    target = folder / slug / f"{slug}.py"
    target.write_text(source, encoding="utf-8")
    proc = subprocess.Popen([*cli(side.root), "lab", "watch", slug, "--dir", str(folder)], env=side.env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put((time.perf_counter(), line)) for line in proc.stdout],
                     daemon=True).start()
    verdict = re.compile(rf"^{re.escape(slug)}: [\d.]+/[\d.]+ " if new_style else r"Score: ")

    def next_verdict(timeout: float = 300) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                when, line = lines.get(timeout=1)
            except queue.Empty:
                if proc.poll() is not None:
                    break
                continue
            if verdict.search(line.replace("\x1b[H\x1b[2J", "")):
                return when
        raise SystemExit(f"watch {slug} ({side.name}): no verdict")

    times = []
    try:
        next_verdict()  # the first check, at start
        for i in range(saves):
            time.sleep(think)  # the student edits; the next child gets ready meanwhile
            saved = time.perf_counter()
            target.write_text(source + f"\n# edit {i}\n", encoding="utf-8")
            times.append(next_verdict() - saved)
    finally:
        proc.kill()
        proc.wait()
    return times


def unpack(rev: str, into: Path) -> Path:
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "course", "labs"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labs", default=None, help="Comma-separated labs (default: all; '' for none).")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--before", default=BASELINE, help="Baseline commit.")
    parser.add_argument("--think", type=float, default=5.0, help="Seconds between saves in the watch run.")
    parser.add_argument("--grade-lab", default="f1", help="Lab for the class-grading run ('' to skip).")
    parser.add_argument("--copies", type=int, default=30)
    parser.add_argument("--sandbox", default=None)
    args = parser.parse_args()

    sys.path.insert(0, str(REPO))
    from course.grading import sandbox
    from course.labs.manifest import load_manifest

    kind = sandbox.choose(args.sandbox)
    slugs = [s for s in args.labs.split(",") if s] if args.labs is not None else load_manifest(REPO).slugs
    print(f"sandbox: {kind}; before = {args.before}, after = this checkout; median of {args.repeats}; "
          f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp_name:
        tmp = Path(tmp_name)
        before = Side("before", unpack(args.before, tmp / "before"), tmp, args.sandbox)
        after = Side("after", REPO, tmp, args.sandbox)
        header = (f"{'lab':<12} {'side':<7} {'child':>6} {'warm':>6} {'cold':>6} {'save':>6} {'run':>6}   "
                  f"{'warm/child':>10} {'cold/warm':>9} {'save/run':>8}")
        print(header)
        print(f"{'target':<20} {'':>34}   {'<= 1.3':>10} {'<= 1.2':>9} {'<= 1.2':>8}", flush=True)
        for slug in slugs:
            rows = {}
            for side in (before, after):
                rows[side.name] = {"child": [], "warm": [], "cold": [], "save": [], "run": []}
            for _ in range(args.repeats):
                for side in (before, after):  # alternately, and each ratio's terms back to back:
                    r = rows[side.name]       # on a shared machine the load moves
                    r["cold"].append(side.check(slug, cold=True))
                    r["warm"].append(side.check(slug))
                    r["child"] += side.driver(side.root, slug, 1, args.sandbox)["child"]
                    r["warm"].append(side.check(slug))
            for side in (before, after):
                r = rows[side.name]
                # the probes' and the import's own time, on this side's labs (the after engine
                # runs them: the old one has no preload list)
                r["run"] += [after.runtime(side.root, slug) for _ in range(args.repeats)]
                r["save"] += watch_times(side, slug, tmp / "watch", args.repeats, args.think, side is after)
            for side in (before, after):
                m = {k: median(v) for k, v in rows[side.name].items()}
                print(f"{slug:<12} {side.name:<7} {m['child']:>6.2f} {m['warm']:>6.2f} {m['cold']:>6.2f} "
                      f"{m['save']:>6.2f} {m['run']:>6.2f}   {m['warm'] / m['child']:>10.2f} "
                      f"{m['cold'] / m['warm']:>9.2f} {m['save'] / m['run']:>8.2f}", flush=True)

        if args.grade_lab:
            print(f"\ncourse grade {args.grade_lab}, {args.copies} copies of the reference "
                  f"(target: -j 1 / -j 2 >= 1.8)", flush=True)
            for side in (before, after):
                lab_dir = side.root / "labs" / args.grade_lab
                subs = tmp / f"subs-{side.name}"
                for i in range(args.copies):
                    (subs / f"student{i:02d}" / args.grade_lab).mkdir(parents=True)
                    shutil.copyfile(lab_dir / f"{args.grade_lab}.py",
                                    subs / f"student{i:02d}" / args.grade_lab / f"{args.grade_lab}.py")
                seconds = {}
                # The class report (issue 17) is drawn once after grading, with -j 1 or -j 2 alike:
                # left out where the engine has it, so both sides time the grading itself.
                helped = subprocess.run([*cli(side.root), "grade", "--help"], env=side.env, capture_output=True,
                                        text=True)
                no_report = ["--no-report"] if "--no-report" in helped.stdout else []
                for jobs in (1, 2):
                    out = tmp / f"out-{side.name}-{jobs}"
                    extra = (["--sandbox", "none", "--trust-submissions"] if kind == "none" else []) + no_report
                    cmd = [*cli(side.root), "grade", args.grade_lab, *sorted(map(str, subs.iterdir())),
                           "--out", str(out), "-j", str(jobs), *extra]
                    side.check(args.grade_lab)  # reference outputs cached, as for a class
                    seconds[jobs] = timed(cmd, side.env)
                print(f"{side.name:<7} -j 1 {seconds[1]:6.1f} s   -j 2 {seconds[2]:6.1f} s   "
                      f"ratio {seconds[1] / seconds[2]:.2f}{'   (--no-report)' if no_report else ''}", flush=True)


if __name__ == "__main__":
    main()
