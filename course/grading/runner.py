"""Drive sandboxed children that run probes, and collect what each probe returned.

One child runs all requested probes in turn (importing torch once, not once per test).
The parent enforces a wall-clock timeout per test: on a timeout, a crash or a protocol
violation the child is killed and a fresh one continues with the tests not yet reported.
A test that never reports scores 0. Everything the child sends is untrusted: a line that
is not an expected event is ignored, and a child that sends more than the data bounds
allow is killed.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from course.grading import cgroup, sandbox, strip
from course.grading.failure import Failure

MAX_LINE = 64 * 1024**2  # bytes of one probe's data
MAX_TOTAL = 256 * 1024**2  # bytes one child may send in all
MAX_CONTAINERS = 1_000_000  # lists and dicts in one result: bounds the decoded size...
MAX_ITEMS = 2_000_000  # ...and so do list items (arrays travel as .npy, not as lists)
OUTPUT_TAIL = 2000  # characters of the child's stdout/stderr kept for feedback
MEMORY_CHECK_EVERY = 0.25  # seconds between looks at the memory of the child's processes
_IMPORT = "<import>"
ORACLE = "oracle:"  # prefix of the names of oracle values (see course.grading.spec.Oracle)
PREPARE_CPU = 60  # CPU seconds a child may spend on its own imports before its run


@dataclass
class ProbeOutcome:
    ok: bool
    data: object = None
    error: str = ""
    seconds: float = 0.0
    failure: Failure | None = None  # when the student's code raised: where and what


@dataclass
class RunReport:
    outcomes: dict[str, ProbeOutcome]
    sandbox: str
    output: str
    import_error: str = ""
    import_seconds: float = 0.0  # the student's module's import, as the parent timed it


def _read_tail(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - OUTPUT_TAIL))
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def run_probes(
    *,
    module: str,
    solution: Path | None,
    tests_file: Path,
    names: list[str],
    timeouts: dict[str, float],
    total_timeout: float,
    hidden: list[Path],
    kind: str,
    prepared: Prepared | None = None,
    full_tests: bool = False,
    on_outcome: Callable[[str, ProbeOutcome], None] | None = None,
    mpl_cache: tuple[str, str] | None = None,
) -> RunReport:
    """Run the named probes of ``tests_file`` against ``solution`` in sandboxed children.

    ``prepared`` is a child started earlier for the same tests, sandbox and hidden paths (see
    :func:`prepare`); it is used once, for the first child, and closed afterwards. Names that
    start with ``ORACLE`` are a test module's oracles: only a trusted job (the reference's,
    ``full_tests=True``, with ``solution`` None or the reference) computes them.
    ``on_outcome(name, outcome)`` hears of each probe's result as it arrives (for judging it
    while the next probes run); the report has every outcome in any case. ``mpl_cache`` is
    matplotlib's font list (file name, text), built by the grader, that a bubblewrap child
    puts in its private matplotlib folder instead of scanning the fonts again.
    """
    tests_source = tests_file.read_text(encoding="utf-8")
    box = prepared
    if box is not None and not box.fits(module, tests_source, hidden, kind, full_tests):
        box.close()
        box = None
    if box is None:
        box = Prepared(module=module, tests_source=tests_source, hidden=hidden, kind=kind,
                       total_timeout=total_timeout, full_tests=full_tests, start=False, mpl_cache=mpl_cache)
    outcomes: dict[str, ProbeOutcome] = {}
    import_error = ""
    import_seconds = 0.0
    try:
        if solution is not None:
            box.place(solution)
        job = _Job(module if solution is not None else None, box.workdir, timeouts, time.monotonic() + total_timeout,
                   hidden, kind)
        remaining = list(names)
        while remaining:
            child = _Child(job, box.take(), remaining, outcomes, on_outcome)
            progressed = child.run()
            if child.said_end:
                box.reap_later(child.proc)
            import_error = import_error or child.import_error
            import_seconds = import_seconds or child.import_seconds
            remaining = [n for n in remaining if n not in outcomes]
            if not progressed or time.monotonic() >= job.deadline:
                out_of_time = time.monotonic() >= job.deadline
                reason = "the lab's time limit ran out" if out_of_time else "the process stopped"
                for name in remaining:
                    outcomes[name] = ProbeOutcome(False, error=f"no result: {reason} before this test ran")
                break
        box.log_fh.flush()
        return RunReport(outcomes, kind, _read_tail(box.log_path), import_error, import_seconds)
    finally:
        box.close()


def prepare(*, module: str, tests_file: Path, hidden: list[Path], kind: str, total_timeout: float,
            preload: list[str] = (), mpl_cache: tuple[str, str] | None = None) -> Prepared:
    """Start a sandboxed child for a later :func:`run_probes` of ``tests_file``: it imports
    ``preload`` (heavy libraries) and the probes now, and waits, with no student code, until
    the run hands it the solution's name. It is the same sandbox, limits and protocol as a
    child started at the run; it serves one run only."""
    return Prepared(module=module, tests_source=tests_file.read_text(encoding="utf-8"), hidden=hidden, kind=kind,
                    total_timeout=total_timeout, preload=list(preload), mpl_cache=mpl_cache)


class _Process:
    """A started child: its process, the read end of its event pipe, and the thread that sends
    its setup (the probes' code, the font list): a pipe takes 64 KiB, so writing the rest waits
    for the child's interpreter to start reading, and the grader has better things to do then."""

    def __init__(self, proc: subprocess.Popen, read_fd: int, setup: bytes):
        self.proc, self.read_fd = proc, read_fd
        self.writer = threading.Thread(target=self._send, args=(setup,), name="course-setup", daemon=True)
        self.writer.start()

    def _send(self, data: bytes) -> None:
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass  # the child died at once (or was killed unread); the run reports it

    def setup_sent(self, timeout: float) -> bool:
        self.writer.join(timeout)
        return not self.writer.is_alive()


class Prepared:
    """A private working folder, its output log, and (optionally) one child started ahead."""

    def __init__(self, *, module: str, tests_source: str, hidden: list[Path], kind: str, total_timeout: float,
                 preload: list[str] = (), full_tests: bool = False, start: bool = True,
                 mpl_cache: tuple[str, str] | None = None):
        self.module, self.tests_source, self.kind = module, tests_source, kind
        self.hidden = [Path(h) for h in hidden]
        self.total_timeout, self.preload, self.full_tests = total_timeout, list(preload), full_tests
        self.mpl_cache = mpl_cache if kind == "bwrap" else None  # the fallback's MPLCONFIGDIR is the work folder
        self.tmp = Path(tempfile.mkdtemp(prefix="course-grade-"))
        self.workdir = self.tmp / "work"
        self.workdir.mkdir()
        if kind == "bwrap" and sandbox.drop_to() is not None:
            # The child reads its copy as 'nobody'; the temporary folder above stays private.
            self.workdir.chmod(0o755)
        self.log_path = self.tmp / "output.log"
        self.log_fh = open(self.log_path, "wb")
        self.waiting: _Process | None = None
        self.reapers: list[threading.Thread] = []
        self.closed = False
        if start:
            self.waiting = self.spawn()

    def fits(self, module: str, tests_source: str, hidden: list[Path], kind: str, full_tests: bool) -> bool:
        return (not self.closed
                and (module, tests_source, kind, full_tests) == (self.module, self.tests_source, self.kind,
                                                                 self.full_tests)
                and [Path(h) for h in hidden] == self.hidden)

    def place(self, solution: Path) -> None:
        """Only the solution file goes in: a submission's conftest.py, sitecustomize.py or test
        files never reach the child. The tests travel on stdin, never as a file."""
        target = self.workdir / f"{self.module}.py"
        shutil.copyfile(solution, target)
        if self.kind == "bwrap" and sandbox.drop_to() is not None:
            target.chmod(0o644)

    def _setup(self, write_fd: int) -> dict:
        return {
            "fd": write_fd,
            "workdir": str(self.workdir),
            "tests_module": f"test_{self.module}",
            "full_tests": self.full_tests,
            "preload": self.preload,
            "mpl_cache": list(self.mpl_cache) if self.mpl_cache else None,
            "guard": self.kind == "none",
            # Only the fallback guard needs them; a sandboxed child learns no paths of the host.
            "hidden_paths": [str(h) for h in self.hidden] if self.kind == "none" else [],
            "drop_to": sandbox.drop_to() if self.kind == "bwrap" else None,
            # Lowered to the run's own budget when the run begins (see child.py).
            "limits": sandbox.Limits(
                cpu_seconds=int(self.total_timeout) + PREPARE_CPU,
                # A control group bounds this child's processes alone; without one, the limit
                # per user does (in bubblewrap's user namespace, or for 'nobody' as root).
                processes=sandbox.MAX_PROCESSES if self.kind == "bwrap" and cgroup.parents() is None else None,
            ).to_json(),
        }

    def spawn(self) -> _Process:
        """Start a child in the sandbox and give it everything but the run itself."""
        # Compiled first: a test file that does not compile raises here, before any process.
        code = strip.child_code(self.tests_source, f"test_{self.module}.py", self.full_tests)
        read_fd, write_fd = os.pipe()
        group = cgroup.make(sandbox.MEMORY_LIMIT, sandbox.MAX_PROCESSES)
        argv = sandbox.command(self.kind, sandbox.child_argv(), self.workdir, self.hidden)
        try:
            proc = subprocess.Popen(
                group.wrap(argv) if group else argv,
                cwd=self.workdir,
                env=sandbox.child_env(self.workdir),
                stdin=subprocess.PIPE,
                stdout=self.log_fh,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                start_new_session=True,
            )
        except BaseException:
            os.close(read_fd)
            if group:
                group.close()
            raise
        finally:
            os.close(write_fd)
        proc.course_group = group  # emptied and removed by _kill
        return _Process(proc, read_fd, json.dumps(self._setup(write_fd)).encode("utf-8") + b"\n"
                        + json.dumps(code).encode("utf-8") + b"\n")

    def take(self) -> _Process:
        """The child started ahead (once, if it is still alive), else a new one."""
        waiting, self.waiting = self.waiting, None
        if waiting is not None and waiting.proc.poll() is not None:
            _kill(waiting.proc)  # it ended before its run (no student code had run): start afresh
            os.close(waiting.read_fd)
            waiting = None
        return waiting or self.spawn()

    def reap_later(self, proc: subprocess.Popen) -> None:
        """Kill a child that reported its end off the student's wait: its results are final
        (the parent reads nothing more from it), and ending a sandbox takes tens of ms."""
        self.reapers.append(_background(_kill, proc))

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.waiting is not None:
            _kill(self.waiting.proc)
            os.close(self.waiting.read_fd)
            self.waiting = None
        self.log_fh.close()
        if self.reapers:  # the work folder goes once nothing can write to it any more
            reapers, self.reapers = self.reapers, []
            _background(_remove_after, reapers, self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __del__(self) -> None:  # a watcher that stops mid-way leaves nothing running
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass


@dataclass
class _Job:
    """What every child of one grading run shares."""

    module: str | None  # None: a trusted job that computes oracles only
    workdir: Path
    timeouts: dict[str, float]
    deadline: float
    hidden: list[Path]
    kind: str
    received: int = 0  # bytes from all of this run's children: a restart does not reset it

    def timeout(self, name: str) -> float:
        if name == _IMPORT or name.startswith(ORACLE):
            return max(self.timeouts.values(), default=30.0)
        return self.timeouts.get(name, 30.0)


class _Child:
    """One sandboxed child: hand it its run, read its events, judge the protocol, kill it when due."""

    def __init__(self, job: _Job, process: _Process, names: list[str], outcomes: dict[str, ProbeOutcome],
                 on_outcome: Callable[[str, ProbeOutcome], None] | None = None):
        self.job, self.names, self.outcomes, self.on_outcome = job, names, outcomes, on_outcome
        self.process, self.proc, self.read_fd = process, process.proc, process.read_fd
        self.current: str | None = None  # the test (or the import) whose clock is running
        self.started = time.monotonic()
        self.seen: set[str] = set()  # tests this child has started: each starts once
        self.progressed = False
        self.finished = False
        self.import_error = ""
        self.import_seconds = 0.0
        self.said_end = False  # the child reported its end: every result is in, nothing it does now counts

    def _run_spec(self) -> dict:
        job = self.job
        return {
            "module": job.module,
            "solution_path": str(job.workdir / f"{job.module}.py") if job.module else None,
            "names": self.names,
            "cpu": int(max(5, job.deadline - time.monotonic())) + 5,
        }

    def run(self) -> bool:
        """Run the child to its end; fill ``outcomes``; True if any test reported."""
        if not self.process.setup_sent(max(0.0, self.job.deadline - time.monotonic())):
            _kill(self.proc)  # it never read its setup: the run below finds the pipe closed
        try:
            self.proc.stdin.write(json.dumps(self._run_spec()).encode("utf-8") + b"\n")
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # the child died at once; the loop below reports it
        self.started = time.monotonic()
        try:
            self._read(self.read_fd)
        finally:
            os.close(self.read_fd)
            if not self.said_end:
                self._kill()  # now: why it stopped (out of memory, say) is part of the verdict
        if not self.finished:
            self._ended_early()
        return self.progressed

    def _read(self, read_fd: int) -> None:
        buffer = bytearray()
        next_memory_check = 0.0
        with selectors.DefaultSelector() as selector:
            selector.register(read_fd, selectors.EVENT_READ)
            while not self.finished:
                now = time.monotonic()
                if now >= next_memory_check:
                    # The address-space limit is per process: forks share one budget here.
                    next_memory_check = now + MEMORY_CHECK_EVERY
                    group = getattr(self.proc, "course_group", None)
                    if tree_rss(self.proc.pid) > sandbox.MEMORY_LIMIT or (group and group.out_of_memory()):
                        self.kill_for(f"used more than {sandbox.MEMORY_LIMIT / 1024**3:g} GiB of memory "
                                      "in all its processes")
                        return
                limit = self.job.deadline
                if self.current is not None:
                    limit = min(limit, self.started + self.job.timeout(self.current))
                if now >= limit:
                    self._timed_out(now)
                    return
                if not selector.select(timeout=min(MEMORY_CHECK_EVERY, limit - now)):
                    continue
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    return
                self.job.received += len(chunk)
                # Look for line ends in the new bytes only: a long line costs linear time.
                searched = len(buffer)
                buffer += chunk
                if self.job.received > MAX_TOTAL:
                    self.kill_for("sent too much data")
                    return
                start = 0
                end = buffer.find(b"\n", searched)
                while end >= 0:
                    self.handle(_parse(bytes(buffer[start:end])))
                    if self.finished:
                        return
                    start = end + 1
                    end = buffer.find(b"\n", start)
                del buffer[:start]
                if len(buffer) > MAX_LINE:
                    self.kill_for("result too large")
                    return

    def handle(self, event: dict) -> None:
        """One event from the child. Anything out of order is ignored or ends the child."""
        kind = event.get("event")
        name = event.get("name") if isinstance(event.get("name"), str) else None
        if kind == "importing" and self.current is None and not self.seen:
            self.current, self.started = _IMPORT, time.monotonic()
            self.seen.add(_IMPORT)
        elif kind == "start" and name in self.names and name not in self.outcomes:
            if self.current not in (None, _IMPORT) or name in self.seen:
                # A second start would reset the running test's clock.
                self.kill_for("protocol violation: a test was started twice", name=self.current or name)
                return
            if self.current == _IMPORT:
                self.import_seconds = time.monotonic() - self.started
            self.current, self.started = name, time.monotonic()
            self.seen.add(name)
        elif kind in ("result", "error") and name is not None and name == self.current:
            seconds = time.monotonic() - self.started
            if kind == "result":
                self.outcomes[name] = _decode_result(event.get("data"), seconds)
            else:
                failure = Failure.from_wire(event.get("error"))
                self.outcomes[name] = ProbeOutcome(False, error=failure.text(), seconds=seconds, failure=failure)
            self.current = None
            self.progressed = True
            if self.on_outcome is not None:
                self.on_outcome(name, self.outcomes[name])
        elif kind == "import_error" and self.current == _IMPORT:
            self.import_error = Failure.from_wire(event.get("error")).text()
            for n in self.names:
                self.outcomes.setdefault(n, ProbeOutcome(False, error="your module failed to import "
                                                                      "(the error is shown once, above the tests)"))
            self.progressed = True
            self.finished = self.said_end = True
        elif kind == "done":
            if self.current == _IMPORT:
                self.import_seconds = time.monotonic() - self.started
            # Stop here: a process the student forked may hold the pipe open forever.
            self.finished = self.said_end = True

    def kill_for(self, reason: str, name: str | None = None) -> None:
        """End the child now; the running test (or ``name``) scores 0 with ``reason``."""
        name = name or self.current
        if name is not None and name != _IMPORT:
            self.outcomes[name] = ProbeOutcome(False, error=reason, seconds=time.monotonic() - self.started)
            self.progressed = True
        elif name == _IMPORT:
            for n in self.names:
                self.outcomes.setdefault(n, ProbeOutcome(False, error=reason))
            self.progressed = True
        self.current = None
        self.finished = True
        self._kill()

    def _timed_out(self, now: float) -> None:
        if self.current is None:
            self.kill_for("the lab's time limit ran out")
        else:
            what = "importing your module took" if self.current == _IMPORT else "timed out after"
            seconds = self.job.timeout(self.current)
            self.kill_for(f"{what} longer than {seconds:g} s" if self.current == _IMPORT else f"{what} {seconds:g} s")

    def _ended_early(self) -> None:
        status = self.proc.returncode
        why = f"killed by signal {-status}" if status and status < 0 else f"exited with status {status}"
        if getattr(self.proc, "course_out_of_memory", False):
            why = f"was stopped for using more than {sandbox.MEMORY_LIMIT / 1024**3:g} GiB of memory"
        if self.current == _IMPORT:
            self.kill_for(f"the process {why} while importing your module")
        elif self.current is not None:
            self.kill_for(f"the process {why} while this test ran")

    def _kill(self) -> None:
        _kill(self.proc)


_pending: dict[int, list[threading.Thread]] = {}  # clean-up threads, by the thread that started them
_pending_lock = threading.Lock()


def _background(fn: Callable, *args) -> threading.Thread:
    """Run a clean-up step in a thread that the interpreter waits for before it exits."""
    thread = threading.Thread(target=fn, args=args, name="course-reaper")
    with _pending_lock:
        mine = _pending.setdefault(threading.get_ident(), [])
        mine[:] = [t for t in mine if t.is_alive()]
        mine.append(thread)
    thread.start()
    return thread


def _remove_after(reapers: list[threading.Thread], folder: Path) -> None:
    for thread in reapers:
        thread.join()
    shutil.rmtree(folder, ignore_errors=True)


def settle(everything: bool = False) -> None:
    """Wait until every child this thread finished with is gone and its folder removed: before
    writing anything a later child must not touch (see classroom.grade_one). Each worker of a
    class waits for its own children only; ``everything`` waits for every thread's."""
    while True:
        with _pending_lock:
            threads = [t for ts in _pending.values() for t in ts] if everything else \
                _pending.get(threading.get_ident(), [])
            alive = [t for t in threads if t.is_alive()]
        if not alive:
            return
        for thread in alive:
            thread.join()


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    proc.wait()
    group = getattr(proc, "course_group", None)
    if group is not None:
        proc.course_group = None
        proc.course_out_of_memory = group.out_of_memory()
        group.close()  # what it left behind, even in another session, ends here


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and every process below it (as ``/proc`` shows them)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * page
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


def _decode_result(data: object, seconds: float) -> ProbeOutcome:
    if not isinstance(data, str):
        return ProbeOutcome(False, error="unreadable result", seconds=seconds)
    text = data
    if text.count("[") + text.count("{") > MAX_CONTAINERS or text.count(",") > MAX_ITEMS:
        return ProbeOutcome(False, error="result too complex (too many lists, dicts or items; "
                                         "return arrays for large data)", seconds=seconds)
    try:
        from course.grading import plain  # (numpy: imported once the child is running)

        return ProbeOutcome(True, data=plain.loads(text), seconds=seconds)
    except (ValueError, TypeError) as exc:
        return ProbeOutcome(False, error=f"unreadable result ({exc})", seconds=seconds)


def _parse(line: bytes) -> dict:
    """One protocol line from the untrusted child; anything odd is ignored."""
    if line.count(b"[") + line.count(b"{") > MAX_CONTAINERS + 10:
        return {}
    try:
        event = json.loads(line)
    except (ValueError, RecursionError, MemoryError):
        return {}
    return event if isinstance(event, dict) else {}
