"""Score a lab: run the probes in the sandbox, judge their data here, write results.

The results follow Gradescope's ``results.json`` schema (score, max_score, tests with
name, number, score, max_score, status, output, visibility), plus ``lab`` and ``sandbox``.
"""

from __future__ import annotations

import ast
import dis
import functools
import hashlib
import importlib
import importlib.util
import json
import queue
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Callable

from course import __version__
from course.content import package_dir
from course.errors import CourseError
from course.grading import runner, sandbox
from course.grading.failure import Failure
from course.labs import markers
from course.labs.manifest import Lab

if TYPE_CHECKING:
    from course.grading.spec import GradedTest

# numpy and what needs it (course.grading.plain, course.grading.spec, feedback) are imported where they are
# used: a check's child starts before the parent has imported them (see grade()).


@dataclass
class TestResult:
    test: GradedTest
    passed: bool
    message: str = ""  # what the student sees (cleaned; for hidden tests, no expected values)
    seconds: float = 0.0
    detail: str = ""  # the instructor's full message, when it differs from ``message``
    failure: Failure | None = None  # the exception the student's code raised, if that was the failure

    @property
    def not_written(self) -> bool:
        """Failed on an untouched stub (``raise NotImplementedError``), not on wrong code."""
        return self.failure is not None and self.failure.type == "NotImplementedError"

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


_loaded_tests: dict[tuple, tuple[ModuleType, list[GradedTest]]] = {}


def load_tests(lab: Lab) -> list[GradedTest]:
    """The lab's graded tests; the (trusted) test file is imported once per version of it,
    not once per submission of a class."""
    return list(_tests_and_module(lab)[1])


def _tests_and_module(lab: Lab) -> tuple[ModuleType, list[GradedTest]]:
    try:
        stat = lab.test_file.stat()
    except OSError as exc:
        raise CourseError(f"{lab.test_file}: {exc.strerror}") from None
    key = (str(lab.test_file.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _loaded_tests:
        _loaded_tests[key] = _import_tests(lab)
    return _loaded_tests[key]


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
    from course.grading.spec import collect

    return module, collect(module, ranges)


def _cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("mmd-course", appauthor=False))


def hidden_paths(lab: Lab) -> list[Path]:
    """What the sandboxed child must not see: every copy of the course content (the one in
    use, a wheel's, a checkout's) and the reference cache."""
    paths = [lab.directory.parent.resolve(), lab.directory.parent.parent.resolve() / "cards", *sandbox.course_copies()]
    paths.append(_cache_dir())
    return list(dict.fromkeys(paths))


def _run(lab: Lab, solution: Path | None, tests: list[GradedTest], kind: str, hide: tuple[Path, ...] = (),
         prepared: runner.Prepared | None = None, oracle_keys: list[str] = (), on_outcome=None) -> runner.RunReport:
    """Probes in the sandbox. ``oracle_keys`` makes it the trusted job (the reference's, with
    the whole test file) that also computes those oracles."""
    return runner.run_probes(
        module=lab.slug,
        solution=solution,
        tests_file=lab.test_file,
        names=[t.name for t in tests] + [runner.ORACLE + k for k in oracle_keys],
        timeouts={t.name: t.timeout or lab.test_timeout for t in tests} or {"": lab.test_timeout},
        total_timeout=lab.time_limit,
        hidden=hidden_paths(lab) + [Path(p).resolve() for p in hide],
        kind=kind,
        prepared=prepared,
        full_tests=bool(oracle_keys),
        on_outcome=on_outcome,
        mpl_cache=mpl_fontlist(kind),
    )


_reference_memo: dict[Path, dict[str, object]] = {}
_oracle_memo: dict[Path, dict[str, object]] = {}
_trusted_locks: dict[str, threading.Lock] = {}
_locks_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def engine_digest() -> str:
    """The engine's own code (every .py of the package) and the libraries an oracle may call."""
    import importlib.metadata

    digest = hashlib.sha256(__version__.encode())
    root = package_dir()
    for path in sorted(root.rglob("*.py")):
        if "_content" in path.relative_to(root).parts:
            continue
        digest.update(str(path.relative_to(root)).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    for dist in ("numpy", "torch", "scipy", "matplotlib", "scikit-learn"):
        try:
            digest.update(f"{dist}={importlib.metadata.version(dist)};".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{dist}=-;".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


_fontlist_memo: dict[Path, tuple[str, str] | None] = {}


@functools.lru_cache(maxsize=1)
def _mpl_version() -> str | None:
    import importlib.metadata

    try:
        return importlib.metadata.version("matplotlib")
    except importlib.metadata.PackageNotFoundError:
        return None


def _mpl_folder() -> Path | None:
    version = _mpl_version()
    return None if version is None else _cache_dir() / f"matplotlib-{version}"


def mpl_fontlist(kind: str) -> tuple[str, str] | None:
    """matplotlib's font list (file name, JSON text) for bubblewrap children, if built."""
    folder = _mpl_folder()
    if kind != "bwrap" or folder is None:
        return None
    if folder not in _fontlist_memo or _fontlist_memo[folder] is None:
        found = sorted(folder.glob("fontlist-v*.json"))
        try:
            _fontlist_memo[folder] = (found[-1].name, found[-1].read_text(encoding="utf-8")) if found else None
        except (OSError, UnicodeDecodeError):
            _fontlist_memo[folder] = None
    return _fontlist_memo[folder]


_FONTLIST_BUILD = """
import glob, os, sys
folder, scratch = sys.argv[1], sys.argv[2]
import matplotlib.font_manager  # scans the fonts and writes fontlist-v*.json into MPLCONFIGDIR
for path in glob.glob(os.path.join(scratch, "fontlist-v*.json")):
    os.replace(path, os.path.join(folder, os.path.basename(path)))  # whole, or not at all
import shutil
shutil.rmtree(scratch, ignore_errors=True)
"""
_fontlist_started: set[Path] = set()


def _build_mpl_fontlist(kind: str) -> None:
    """Once per matplotlib version: let matplotlib scan the fonts in a trusted process, at low
    priority and without waiting for it, and keep its font list in the grader's cache (never a
    child's, which the next student would get). Later checks hand it to their children."""
    folder = _mpl_folder()
    if kind != "bwrap" or folder is None or folder in _fontlist_started or mpl_fontlist(kind) is not None:
        return
    import subprocess
    import tempfile

    _fontlist_started.add(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        scratch = tempfile.mkdtemp(prefix=".build-", dir=folder)
        subprocess.Popen(["nice", "-n", "19", sys.executable, "-I", "-c", _FONTLIST_BUILD, str(folder), scratch],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True,
                         env={"PATH": "/usr/bin:/bin", "HOME": scratch, "MPLCONFIGDIR": scratch, "MPLBACKEND": "Agg",
                              "LANG": "C.UTF-8"})
    except (OSError, subprocess.SubprocessError):
        pass


def _read_cache(path: Path, memo: dict[Path, dict[str, object]]) -> dict[str, object]:
    from course.grading import plain

    stored: dict[str, object] = dict(memo.get(path, {}))
    if not stored and path.is_file():
        try:
            stored = {k: plain.loads(v) for k, v in json.loads(path.read_text()).items()}
        except (ValueError, TypeError, OSError, AttributeError):
            stored = {}
    return stored


def _write_cache(path: Path, stored: dict[str, object]) -> None:
    from course.grading import plain

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps({k: plain.dumps(v) for k, v in stored.items()}))
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache only costs time


def reference_outputs(lab: Lab, tests: list[GradedTest], kind: str | None = None) -> dict[str, object]:
    """Probe data of the reference solution for tests that compare with it (cached), and the
    values of the test module's oracles (cached, and handed to the oracles here).

    The reference runs exactly like a student's code, in the same kind of sandbox, so a
    reference that cannot pass there is found on the first check of a fresh machine. Whatever
    is missing from either cache is computed by one child, which gets the whole test file
    (its oracles) because it runs the course's reference, never student code. Oracle values
    are keyed by the test file and the engine (:func:`engine_digest`); neither cache is ever
    visible to a student's child (see :func:`hidden_paths`).
    """
    with _locks_lock:
        lock = _trusted_locks.setdefault(lab.slug, threading.Lock())
    with lock:
        return _trusted_values(lab, tests, kind)


def _trusted_values(lab: Lab, tests: list[GradedTest], kind: str | None) -> dict[str, object]:
    from course.grading import spec

    wanted = [t for t in tests if t.uses_reference]
    module = _tests_and_module(lab)[0]
    declared = spec.oracles(module)
    test_bytes = lab.test_file.read_bytes()
    refs_cache = oracle_cache = None
    stored: dict[str, object] = {}
    values: dict[str, object] = {}
    if wanted:
        digest = hashlib.sha256()
        for part in (lab.solution_file.read_bytes(), test_bytes, __version__.encode()):
            digest.update(hashlib.sha256(part).digest())
        refs_cache = _cache_dir() / f"reference-{lab.slug}-{digest.hexdigest()[:20]}.json"
        stored = _read_cache(refs_cache, _reference_memo)
    if declared:
        digest = hashlib.sha256(hashlib.sha256(test_bytes).digest() + engine_digest().encode())
        oracle_cache = _cache_dir() / f"oracles-{lab.slug}-{digest.hexdigest()[:20]}.json"
        values = _read_cache(oracle_cache, _oracle_memo)
    missing = [t for t in wanted if t.name not in stored]
    unknown = [o.key for o in declared if o.key not in values]
    if missing or unknown:
        report = _run(lab, lab.solution_file if missing else None, missing, sandbox.choose(kind), oracle_keys=unknown)
        failed = [f"{n}: {o.error}" for n, o in report.outcomes.items() if not o.ok]
        if report.import_error:
            failed.insert(0, f"import: {report.import_error}")
        if failed:
            what = "an oracle" if failed[0].startswith(runner.ORACLE) else "a probe"
            raise CourseError(f"lab {lab.slug}: the reference solution failed {what}: {failed[0]}")
        for name, outcome in report.outcomes.items():
            if name.startswith(runner.ORACLE):
                values[name[len(runner.ORACLE):]] = outcome.data
            else:
                stored[name] = outcome.data
        if missing:
            _write_cache(refs_cache, stored)
        if unknown:
            _write_cache(oracle_cache, values)
    if refs_cache is not None:
        _reference_memo[refs_cache] = stored  # a class's submissions share one decoded copy
    if oracle_cache is not None:
        _oracle_memo[oracle_cache] = values
    for o in declared:
        o.supply(values[o.key])
    return {t.name: stored[t.name] for t in wanted}


def _imported_by(fn: object, namespace: dict, seen: set[int]) -> set[str]:
    """Modules a check imports when it runs: its own import statements and those of the
    helper functions it calls (an oracle's function is not followed: its value is cached)."""
    from course.grading.spec import Oracle

    code = getattr(fn, "__code__", None)
    if code is None or id(code) in seen:
        return set()
    seen.add(id(code))
    found: set[str] = set()
    codes = [code]
    while codes:
        current = codes.pop()
        for ins in dis.get_instructions(current):
            if ins.opname == "IMPORT_NAME" and isinstance(ins.argval, str):
                found.add(ins.argval)
            elif ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and isinstance(ins.argval, str):
                value = namespace.get(ins.argval)
                if callable(value) and getattr(value, "__module__", None) == namespace.get("__name__"):
                    found |= _imported_by(value, namespace, seen)
        codes += [c for c in current.co_consts if hasattr(c, "co_code") and id(c) not in seen]
        seen.update(id(c) for c in current.co_consts if hasattr(c, "co_code"))
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            inner = cell.cell_contents
        except ValueError:
            continue
        if callable(inner) and not isinstance(inner, Oracle):
            found |= _imported_by(inner, namespace, seen)
    return found


def _warm_checks(lab: Lab, tests: list[GradedTest]) -> None:
    """Import what the checks will import (torch, say) now, while the child runs."""
    module = _tests_and_module(lab)[0]
    names: set[str] = set()
    seen: set[int] = set()
    for test in tests:
        if test.check_fn is not None:
            names |= _imported_by(test.check_fn, vars(module), seen)
    for name in sorted(names):
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001  (the check itself meets the error, where it is reported)
                pass


class _TrustedSide(threading.Thread):
    """Loads what judging needs (reference outputs, oracle values, the checks' imports) while
    the student's child runs, then judges each probe's data as it arrives; a cold cache runs
    the reference's child at the same time."""

    def __init__(self, lab: Lab, tests: list[GradedTest], kind: str):
        super().__init__(name=f"trusted-{lab.slug}", daemon=True)
        self.lab, self.tests, self.kind = lab, tests, kind
        self.by_name = {t.name: t for t in tests}
        self.refs: dict[str, object] = {}
        self.error: BaseException | None = None
        self.arrived: queue.SimpleQueue = queue.SimpleQueue()
        self.judged: dict[str, tuple[runner.ProbeOutcome, TestResult]] = {}
        self.start()

    def arrive(self, name: str, outcome: runner.ProbeOutcome) -> None:
        if name in self.by_name:
            self.arrived.put((name, outcome))

    def run(self) -> None:
        try:
            self.refs = reference_outputs(self.lab, self.tests, self.kind)
            _warm_checks(self.lab, self.tests)
            if "matplotlib" in (self.lab.test_file.read_text(encoding="utf-8")
                                + self.lab.solution_file.read_text(encoding="utf-8")):
                _build_mpl_fontlist(self.kind)
        except BaseException as exc:  # noqa: BLE001  (raised again in the grading thread)
            self.error = exc
            return
        while (item := self.arrived.get()) is not None:
            name, outcome = item
            self.judged[name] = (outcome, _judge(self.by_name[name], outcome, self.refs))

    def results(self, report: runner.RunReport) -> list[TestResult]:
        """Every test's result: judged on arrival, or now (the same judgment either way)."""
        self.arrived.put(None)
        self.join()
        if self.error is not None:
            raise self.error
        out = []
        for test in self.tests:
            outcome = report.outcomes.get(test.name)
            early = self.judged.get(test.name)
            out.append(early[1] if early and early[0] is outcome else _judge(test, outcome, self.refs))
        return out

    def abandon(self) -> None:
        self.arrived.put(None)
        self.join()


HEAVY = ("numpy", "torch", "matplotlib", "matplotlib.pyplot", "scipy", "sklearn", "pandas")


def _imports_in(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return list(dict.fromkeys(names))


def preload_for(lab: Lab, solution: Path | None = None) -> list[str]:
    """What a child started ahead imports before its run: what the probes import (the
    course's code), and of the heavy libraries, those the student's file imports (its
    names only: none of its code runs before the run)."""
    from course.grading.strip import probes_only

    try:
        probes = ast.unparse(probes_only(lab.test_file.read_text(encoding="utf-8"), lab.test_file.name))
    except (OSError, SyntaxError, ValueError):
        probes = ""
    wanted = [n for n in _imports_in(probes) if n.split(".")[0] != "course"]
    if solution is not None:
        try:
            student = _imports_in(solution.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            student = []
        wanted += [n for n in student if n in HEAVY]
    return list(dict.fromkeys(wanted))


def prepare(lab: Lab, solution: Path | None = None, *, sandbox_kind: str | None = None,
            hide: tuple[Path, ...] = ()) -> runner.Prepared:
    """A child for the next :func:`grade` of ``lab`` (pass it as ``prepared=``), started now:
    its heavy imports and the probes load while the student edits. It serves one grade."""
    kind = sandbox.choose(sandbox_kind)
    # Only inside bubblewrap: the fallback's audit guard is installed after these imports, and
    # a library imported before it could keep a door the guard would have replaced.
    preload = preload_for(lab, solution) if kind == "bwrap" else []
    return runner.prepare(module=lab.slug, tests_file=lab.test_file, kind=kind, total_timeout=lab.time_limit,
                          hidden=hidden_paths(lab) + [Path(p).resolve() for p in hide],
                          preload=preload, mpl_cache=mpl_fontlist(kind))


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
    prepared: runner.Prepared | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> LabResult:
    """Grade ``solution`` (a path to the student's ``<slug>.py``) on ``lab``.

    ``hide`` adds paths the child must not read (a class's other submissions, say); they
    matter only without bubblewrap, which mounts none of them anyway. ``prepared`` is a
    child started ahead by :func:`prepare` (used if it fits this run, closed in any case).
    ``meanwhile`` is the caller's own work (its renderer's imports, say): it runs in a thread
    from the moment the child is started, on the core the child leaves free.

    The parent never waits twice: the reference outputs, the oracle values and the checks'
    imports load in a thread while the student's child runs.
    """
    begin = time.monotonic()
    kind = sandbox.choose(sandbox_kind)
    refusal = _refuse_solution(lab, solution)
    try:
        if not refusal and prepared is None:
            # The child starts first: its interpreter and imports overlap the parent's own.
            try:
                prepared = runner.Prepared(module=lab.slug, tests_source=lab.test_file.read_text(encoding="utf-8"),
                                           hidden=hidden_paths(lab) + [Path(p).resolve() for p in hide], kind=kind,
                                           total_timeout=lab.time_limit, mpl_cache=mpl_fontlist(kind))
            except (OSError, SyntaxError, ValueError):
                prepared = None  # a broken test file: load_tests below says so in one line
        if meanwhile is not None:
            threading.Thread(target=meanwhile, name="course-meanwhile").start()
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
        if refusal:
            results = [TestResult(t, False, refusal) for t in tests]
            return LabResult(lab, results, kind, time.monotonic() - begin, notes=notes)
        trusted = _TrustedSide(lab, tests, kind)
        try:
            report = _run(lab, solution, tests, kind, hide, prepared, on_outcome=trusted.arrive)
        except BaseException:
            trusted.abandon()
            raise
        results = trusted.results(report)
    finally:
        if prepared is not None:
            prepared.close()  # used by the run (or not needed): never left running
    from course.grading import feedback

    return LabResult(lab, results, kind, time.monotonic() - begin, output=feedback.clean(report.output), notes=notes,
                     import_error=feedback.clean(report.import_error))


def _judge(test: GradedTest, outcome: runner.ProbeOutcome | None, refs: dict[str, object]) -> TestResult:
    """Pass or fail one test on its probe's data; hidden tests keep their expected values."""
    from course.grading import feedback
    from course.grading.spec import REFERENCE

    outcome = outcome or runner.ProbeOutcome(False, error="no result")
    if not outcome.ok:
        return TestResult(test, False, feedback.clean(outcome.error), outcome.seconds, failure=outcome.failure)
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
