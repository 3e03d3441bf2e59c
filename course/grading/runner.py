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
import time
from dataclasses import dataclass
from pathlib import Path

from course import plain
from course.grading import sandbox

MAX_LINE = 64 * 1024**2  # bytes of one probe's data
MAX_TOTAL = 256 * 1024**2  # bytes one child may send in all
MAX_CONTAINERS = 1_000_000  # lists and dicts in one result: bounds the decoded size
OUTPUT_TAIL = 2000  # characters of the child's stdout/stderr kept for feedback
MEMORY_CHECK_EVERY = 0.25  # seconds between looks at the memory of the child's processes
_IMPORT = "<import>"


@dataclass
class ProbeOutcome:
    ok: bool
    data: object = None
    error: str = ""
    seconds: float = 0.0


@dataclass
class RunReport:
    outcomes: dict[str, ProbeOutcome]
    sandbox: str
    output: str
    import_error: str = ""


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
    solution: Path,
    tests_file: Path,
    names: list[str],
    timeouts: dict[str, float],
    total_timeout: float,
    hidden: list[Path],
    kind: str,
) -> RunReport:
    """Run the named probes of ``tests_file`` against ``solution`` in sandboxed children."""
    outcomes: dict[str, ProbeOutcome] = {}
    import_error = ""
    with tempfile.TemporaryDirectory(prefix="course-grade-") as tmp:
        workdir = Path(tmp) / "work"
        workdir.mkdir()
        # Only the solution file goes in: a submission's conftest.py, sitecustomize.py or
        # test files never reach the child. The tests travel on stdin, never as a file.
        target = workdir / f"{module}.py"
        shutil.copyfile(solution, target)
        if kind == "bwrap" and sandbox.drop_to() is not None:
            # The child reads its copy as 'nobody'; the temporary folder above stays private.
            workdir.chmod(0o755)
            target.chmod(0o644)
        job = _Job(module, f"test_{module}", tests_file.read_text(encoding="utf-8"), workdir, timeouts,
                   time.monotonic() + total_timeout, hidden, kind)
        remaining = list(names)
        with open(Path(tmp) / "output.log", "wb") as log_fh:
            while remaining:
                child = _Child(job, remaining, log_fh, outcomes)
                progressed = child.run()
                import_error = import_error or child.import_error
                remaining = [n for n in remaining if n not in outcomes]
                if not progressed or time.monotonic() >= job.deadline:
                    out_of_time = time.monotonic() >= job.deadline
                    reason = "the lab's time limit ran out" if out_of_time else "the process stopped"
                    for name in remaining:
                        outcomes[name] = ProbeOutcome(False, error=f"no result: {reason} before this test ran")
                    break
        return RunReport(outcomes, kind, _read_tail(Path(tmp) / "output.log"), import_error)


@dataclass
class _Job:
    """What every child of one grading run shares."""

    module: str
    tests_name: str
    tests_source: str
    workdir: Path
    timeouts: dict[str, float]
    deadline: float
    hidden: list[Path]
    kind: str

    def timeout(self, name: str) -> float:
        if name == _IMPORT:
            return max(self.timeouts.values(), default=30.0)
        return self.timeouts.get(name, 30.0)


class _Child:
    """One sandboxed child: start it, read its events, judge the protocol, kill it when due."""

    def __init__(self, job: _Job, names: list[str], log_fh, outcomes: dict[str, ProbeOutcome]):
        self.job, self.names, self.log_fh, self.outcomes = job, names, log_fh, outcomes
        self.current: str | None = None  # the test (or the import) whose clock is running
        self.started = time.monotonic()
        self.seen: set[str] = set()  # tests this child has started: each starts once
        self.received = 0
        self.progressed = False
        self.finished = False
        self.import_error = ""

    def _spec(self, write_fd: int) -> dict:
        job = self.job
        return {
            "fd": write_fd,
            "workdir": str(job.workdir),
            "module": job.module,
            "solution_path": str(job.workdir / f"{job.module}.py"),
            "tests_module": job.tests_name,
            "names": self.names,
            "guard": job.kind == "none",
            "hidden_paths": [str(h) for h in job.hidden],
            "drop_to": sandbox.drop_to() if job.kind == "bwrap" else None,
            "limits": sandbox.Limits(
                cpu_seconds=int(max(5, job.deadline - time.monotonic())) + 5,
                processes=sandbox.MAX_PROCESSES if job.kind == "bwrap" else None,
            ).to_json(),
        }

    def run(self) -> bool:
        """Run the child to its end; fill ``outcomes``; True if any test reported."""
        read_fd, write_fd = os.pipe()
        try:
            self.proc = subprocess.Popen(
                sandbox.command(self.job.kind, sandbox.child_argv(), self.job.workdir, self.job.hidden),
                cwd=self.job.workdir,
                env=sandbox.child_env(self.job.workdir),
                stdin=subprocess.PIPE,
                stdout=self.log_fh,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                start_new_session=True,
            )
        finally:
            os.close(write_fd)
        try:
            self.proc.stdin.write(json.dumps(self._spec(write_fd)).encode("utf-8") + b"\n" + self.job.tests_source.encode("utf-8"))
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # the child died at once; the loop below reports it
        try:
            self._read(read_fd)
        finally:
            os.close(read_fd)
            self._kill()
        if not self.finished:
            self._ended_early()
        return self.progressed

    def _read(self, read_fd: int) -> None:
        buffer = b""
        next_memory_check = 0.0
        with selectors.DefaultSelector() as selector:
            selector.register(read_fd, selectors.EVENT_READ)
            while not self.finished:
                now = time.monotonic()
                if now >= next_memory_check:
                    # The address-space limit is per process: forks share one budget here.
                    next_memory_check = now + MEMORY_CHECK_EVERY
                    if tree_rss(self.proc.pid) > sandbox.MEMORY_LIMIT:
                        self.kill_for(f"used more than {sandbox.MEMORY_LIMIT / 1024**3:g} GiB of memory in all its processes")
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
                self.received += len(chunk)
                buffer += chunk
                if self.received > MAX_TOTAL or len(buffer) > MAX_LINE:
                    self.kill_for("result too large")
                    return
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    self.handle(_parse(line))
                    if self.finished:
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
            self.current, self.started = name, time.monotonic()
            self.seen.add(name)
        elif kind in ("result", "error") and name is not None and name == self.current:
            seconds = time.monotonic() - self.started
            if kind == "result":
                self.outcomes[name] = _decode_result(event.get("data"), seconds)
            else:
                self.outcomes[name] = ProbeOutcome(False, error=str(event.get("error"))[:4000], seconds=seconds)
            self.current = None
            self.progressed = True
        elif kind == "import_error" and self.current == _IMPORT:
            self.import_error = str(event.get("error"))[:4000]
            for n in self.names:
                self.outcomes.setdefault(n, ProbeOutcome(False, error="your module failed to import (the error is shown once, above the tests)"))
            self.progressed = True
            self.finished = True
        elif kind == "done":
            # Stop here: a process the student forked may hold the pipe open forever.
            self.finished = True

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
        if self.current == _IMPORT:
            self.kill_for(f"the process {why} while importing your module")
        elif self.current is not None:
            self.kill_for(f"the process {why} while this test ran")

    def _kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.proc.wait()


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
    if text.count("[") + text.count("{") > MAX_CONTAINERS:
        return ProbeOutcome(False, error="result too complex (too many nested lists or dicts)", seconds=seconds)
    try:
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
