"""Score a lab: run the probes in the sandbox, judge their data here, write results.

The results follow Gradescope's ``results.json`` schema (score, max_score, tests with
name, number, score, max_score, status, output, visibility), plus ``lab`` and ``sandbox``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from course import __version__, markers, plain
from course.errors import CourseError
from course.grading import feedback, runner, sandbox
from course.manifest import Lab
from course.testing import REFERENCE, GradedTest, collect


@dataclass
class TestResult:
    test: GradedTest
    passed: bool
    message: str = ""  # what the student sees (cleaned; for hidden tests, no expected values)
    seconds: float = 0.0
    detail: str = ""  # the instructor's full message, when it differs from ``message``

    @property
    def score(self) -> float:
        return self.test.points if self.passed else 0.0


@dataclass
class LabResult:
    lab: Lab
    results: list[TestResult]
    sandbox: str
    seconds: float
    output: str = ""
    notes: list[str] = field(default_factory=list)
    import_error: str = ""  # shown once, at the top, rather than under every test

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.test.points for r in self.results)

    @property
    def full_marks(self) -> bool:
        return bool(self.results) and all(r.passed for r in self.results)

    def task_scores(self) -> dict[int, tuple[float, float]]:
        scores: dict[int, tuple[float, float]] = {t.number: (0.0, 0.0) for t in self.lab.tasks}
        for r in self.results:
            got, total = scores.get(r.test.task, (0.0, 0.0))
            scores[r.test.task] = (got + r.score, total + r.test.points)
        return scores

    @property
    def status(self) -> str:
        if self.import_error:
            return "import error"
        return "full marks" if self.full_marks else "graded"

    def by_name(self) -> dict[str, TestResult]:
        return {r.test.name: r for r in self.results}

    def to_gradescope(self) -> dict:
        tests = []
        counters: dict[int, int] = {}
        for r in self.results:
            counters[r.test.task] = counters.get(r.test.task, 0) + 1
            tests.append(
                {
                    "name": r.test.name,
                    "number": f"{r.test.task}.{counters[r.test.task]}",
                    "score": r.score,
                    "max_score": r.test.points,
                    "status": "passed" if r.passed else "failed",
                    "output": r.message,
                    "tags": [f"task-{r.test.task}"] + (["hidden"] if r.test.hidden else []),
                    "visibility": "after_published" if r.test.hidden else "visible",
                }
            )
        notes = "\n".join(([f"Your module failed to import:\n{self.import_error}"] if self.import_error else []) + self.notes)
        return {
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.seconds, 3),
            "output": notes,
            "output_format": "text",
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": tests,
            "lab": self.lab.slug,
            "sandbox": self.sandbox,
        }


_loaded_tests: dict[tuple, list[GradedTest]] = {}


def load_tests(lab: Lab) -> list[GradedTest]:
    """The lab's graded tests; the (trusted) test file is imported once per version of it,
    not once per submission of a class."""
    try:
        stat = lab.test_file.stat()
    except OSError as exc:
        raise CourseError(f"{lab.test_file}: {exc.strerror}") from None
    key = (str(lab.test_file.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _loaded_tests:
        _loaded_tests[key] = _import_tests(lab)
    return list(_loaded_tests[key])


def _import_tests(lab: Lab) -> list[GradedTest]:
    path = lab.test_file
    try:
        source = path.read_text(encoding="utf-8")
        ranges = markers.hidden_line_ranges(source)
    except (OSError, markers.MarkerError) as exc:
        raise CourseError(f"{path}: {exc}") from None
    name = f"_course_tests_{lab.slug}"
    spec = importlib.util.spec_from_file_location(name, path)
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise CourseError(f"{path}:{exc.lineno}: {exc.msg}") from None
    except Exception as exc:  # noqa: BLE001  (a broken lab must still fail in one line)
        raise CourseError(f"{path}: the lab's tests do not load ({type(exc).__name__}: {exc})") from None
    return collect(module, ranges)


def _cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("mmd-course", appauthor=False))


def hidden_paths(lab: Lab) -> list[Path]:
    """What the sandboxed child must not see: every copy of the course content (the one in
    use, a wheel's, a checkout's) and the reference cache."""
    paths = [lab.directory.parent.resolve(), lab.directory.parent.parent.resolve() / "cards", *sandbox.course_copies()]
    paths.append(_cache_dir())
    return list(dict.fromkeys(paths))


def _run(lab: Lab, solution: Path, tests: list[GradedTest], kind: str, hide: tuple[Path, ...] = ()) -> runner.RunReport:
    return runner.run_probes(
        module=lab.slug,
        solution=solution,
        tests_file=lab.test_file,
        names=[t.name for t in tests],
        timeouts={t.name: t.timeout or lab.test_timeout for t in tests},
        total_timeout=lab.time_limit,
        hidden=hidden_paths(lab) + [Path(p).resolve() for p in hide],
        kind=kind,
    )


_reference_memo: dict[Path, dict[str, object]] = {}


def reference_outputs(lab: Lab, tests: list[GradedTest], kind: str | None = None) -> dict[str, object]:
    """Probe data of the reference solution for tests that compare with it (cached).

    The reference runs exactly like a student's code, in the same kind of sandbox, so a
    reference that cannot pass there is found on the first check of a fresh machine.
    """
    wanted = [t for t in tests if t.uses_reference]
    if not wanted:
        return {}
    digest = hashlib.sha256()
    for part in (lab.solution_file.read_bytes(), lab.test_file.read_bytes(), __version__.encode()):
        digest.update(hashlib.sha256(part).digest())
    cache = _cache_dir() / f"reference-{lab.slug}-{digest.hexdigest()[:20]}.json"
    stored: dict[str, object] = dict(_reference_memo.get(cache, {}))
    if not stored and cache.is_file():
        try:
            stored = {k: plain.loads(v) for k, v in json.loads(cache.read_text()).items()}
        except (ValueError, TypeError, OSError):
            stored = {}
    missing = [t for t in wanted if t.name not in stored]
    if missing:
        report = _run(lab, lab.solution_file, missing, sandbox.choose(kind))
        failed = [f"{n}: {o.error}" for n, o in report.outcomes.items() if not o.ok]
        if report.import_error:
            failed.insert(0, f"import: {report.import_error}")
        if failed:
            raise CourseError(f"lab {lab.slug}: the reference solution failed a probe: {failed[0]}")
        stored.update({n: o.data for n, o in report.outcomes.items()})
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp")
            tmp.write_text(json.dumps({k: plain.dumps(v) for k, v in stored.items()}))
            tmp.replace(cache)
        except OSError:
            pass  # a read-only cache only costs time
    _reference_memo[cache] = stored  # a class's submissions share one decoded copy
    return {t.name: stored[t.name] for t in wanted}


MAX_SOLUTION_BYTES = 2 * 1024**2


def _refuse_solution(lab: Lab, solution: Path) -> str:
    """Why ``solution`` cannot be graded (empty string if it can).

    A symlink could point at the reference solution, and a FIFO or device would hang the copy.
    """
    if solution.is_symlink():
        return f"refused: {solution.name} is a symbolic link; submit the file itself"
    if not solution.is_file():
        return f"no solution file: {solution}"
    real = solution.resolve()
    for hidden in hidden_paths(lab):
        if real.is_relative_to(hidden.resolve()):
            return f"refused: {solution} is one of the course's own files"
    size = real.stat().st_size
    if size > MAX_SOLUTION_BYTES:
        return f"refused: {solution.name} is {size} bytes (limit {MAX_SOLUTION_BYTES})"
    return ""


def grade(
    lab: Lab,
    solution: Path,
    *,
    include_hidden: bool = True,
    only: list[str] | None = None,
    sandbox_kind: str | None = None,
    hide: tuple[Path, ...] = (),
) -> LabResult:
    """Grade ``solution`` (a path to the student's ``<slug>.py``) on ``lab``.

    ``hide`` adds paths the child must not read (a class's other submissions, say); they
    matter only without bubblewrap, which mounts none of them anyway.
    """
    begin = time.monotonic()
    kind = sandbox.choose(sandbox_kind)
    tests = [t for t in load_tests(lab) if include_hidden or not t.hidden]
    if only is not None:
        unknown = sorted(set(only) - {t.name for t in tests})
        if unknown:
            raise CourseError(f"lab {lab.slug}: no graded test named {', '.join(unknown)}")
        tests = [t for t in tests if t.name in only]
    notes = []
    if kind == "none":
        why = "turned off" if sandbox.bwrap_works() else "not available (install the 'bubblewrap' package)"
        notes.append(f"sandbox: bubblewrap {why}; your code ran with resource limits and an audit guard only")
    refusal = _refuse_solution(lab, solution)
    if refusal:
        results = [TestResult(t, False, refusal) for t in tests]
        return LabResult(lab, results, kind, time.monotonic() - begin, notes=notes)
    refs = reference_outputs(lab, tests, kind)
    report = _run(lab, solution, tests, kind, hide)
    results = [_judge(test, report.outcomes.get(test.name), refs) for test in tests]
    return LabResult(lab, results, kind, time.monotonic() - begin, output=feedback.clean(report.output), notes=notes,
                     import_error=feedback.clean(report.import_error))


def _judge(test: GradedTest, outcome: runner.ProbeOutcome | None, refs: dict[str, object]) -> TestResult:
    """Pass or fail one test on its probe's data; hidden tests keep their expected values."""
    outcome = outcome or runner.ProbeOutcome(False, error="no result")
    if not outcome.ok:
        return TestResult(test, False, feedback.clean(outcome.error), outcome.seconds)
    expected = refs.get(test.name)
    try:
        test.verify(outcome.data, expected)
    except AssertionError as exc:
        message = feedback.clean(str(exc) or "assertion failed")
    except Exception as exc:  # noqa: BLE001  (odd data from a student must not stop grading)
        message = feedback.clean(f"result has an unexpected form ({type(exc).__name__}: {exc})")
    else:
        return TestResult(test, True, "", outcome.seconds)
    if not test.hidden:
        return TestResult(test, False, message, outcome.seconds)
    compared = test.check_fn is None
    if compared and test.expect is not REFERENCE:
        expected = test.expect
    shown = feedback.hidden_failure(test.doc, outcome.data, expected, compared=compared, rtol=test.rtol, atol=test.atol)
    return TestResult(test, False, shown, outcome.seconds, detail=message)
