"""Drive sandboxed children that run probes, and collect what each probe returned.

One child runs all requested probes in turn (importing torch once, not once per test).
The parent enforces a wall-clock timeout per test: on a timeout or a crash the child is
killed and a fresh one continues with the tests not yet reported. A test that never
reports scores 0.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from course import plain
from course.grading import sandbox

MAX_LINE = 256 * 1024**2  # bytes of one probe's data
OUTPUT_TAIL = 2000  # characters of the child's stdout/stderr kept for feedback


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


def _read_tail(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - OUTPUT_TAIL))
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


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
    with tempfile.TemporaryDirectory(prefix="course-grade-") as tmp:
        workdir = Path(tmp) / "work"
        workdir.mkdir()
        # Only the solution file goes in: a submission's conftest.py, sitecustomize.py or
        # test files never reach the child. The tests travel on stdin, never as a file.
        shutil.copyfile(solution, workdir / f"{module}.py")
        tests_name = f"test_{module}"
        tests_source = tests_file.read_text(encoding="utf-8")
        log = Path(tmp) / "output.log"
        deadline = time.monotonic() + total_timeout
        remaining = list(names)
        with open(log, "wb") as log_fh:
            while remaining:
                progressed = _one_child(
                    module, tests_name, tests_source, workdir, remaining, timeouts, deadline, hidden, kind, log_fh, outcomes
                )
                remaining = [n for n in remaining if n not in outcomes]
                if not progressed or time.monotonic() >= deadline:
                    reason = "the lab's time limit ran out" if time.monotonic() >= deadline else "the process stopped"
                    for name in remaining:
                        outcomes[name] = ProbeOutcome(False, error=f"no result: {reason} before this test ran")
                    break
        return RunReport(outcomes, kind, _read_tail(log))


def _one_child(module, tests_name, tests_source, workdir, names, timeouts, deadline, hidden, kind, log_fh, outcomes) -> bool:
    """Start one child for ``names``; fill ``outcomes``; return True if any test reported."""
    read_fd, write_fd = os.pipe()
    spec = {
        "fd": write_fd,
        "workdir": str(workdir),
        "module": module,
        "solution_path": str(workdir / f"{module}.py"),
        "tests_module": tests_name,
        "names": names,
        "guard": kind == "none",
        "hidden_paths": [str(h) for h in hidden],
        "limits": sandbox.Limits(cpu_seconds=int(max(5, deadline - time.monotonic())) + 5).to_json(),
    }
    argv = [sys.executable, "-I", "-B", "-m", "course.grading.child"]
    try:
        proc = subprocess.Popen(
            sandbox.command(kind, argv, workdir, hidden),
            cwd=workdir,
            env=sandbox.child_env(workdir),
            stdin=subprocess.PIPE,
            stdout=log_fh,
            stderr=subprocess.STDOUT,
            pass_fds=(write_fd,),
            start_new_session=True,
        )
    finally:
        os.close(write_fd)
    try:
        proc.stdin.write(json.dumps(spec).encode("utf-8") + b"\n" + tests_source.encode("utf-8"))
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the child died at once; the loop below reports it
    progressed = False
    current: str | None = None
    started = time.monotonic()
    buffer = b""
    selector = selectors.DefaultSelector()
    selector.register(read_fd, selectors.EVENT_READ)
    try:
        while True:
            now = time.monotonic()
            limit = deadline
            if current == _IMPORT:
                limit = min(deadline, started + _import_timeout(timeouts))
            elif current is not None:
                limit = min(deadline, started + timeouts.get(current, 30.0))
            if now >= limit:
                if current == _IMPORT:
                    for n in names:
                        outcomes.setdefault(
                            n, ProbeOutcome(False, error=f"importing your module took longer than {_import_timeout(timeouts):g} s")
                        )
                    _kill(proc)
                    return True
                if current is not None:
                    outcomes[current] = ProbeOutcome(
                        False, error=f"timed out after {timeouts.get(current, 30.0):g} s", seconds=now - started
                    )
                    progressed = True
                _kill(proc)
                return progressed
            if not selector.select(timeout=min(0.5, limit - now)):
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            buffer += chunk
            if len(buffer) > MAX_LINE:
                if current is not None:
                    outcomes[current] = ProbeOutcome(False, error="result too large")
                    progressed = True
                _kill(proc)
                return progressed
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                event = _parse(line)
                kind_ = event.get("event")
                name = event.get("name") if isinstance(event.get("name"), str) else None
                if kind_ == "importing" and current is None:
                    current, started = _IMPORT, time.monotonic()
                elif kind_ == "start" and name in names and name not in outcomes:
                    current, started = name, time.monotonic()
                elif kind_ in ("result", "error") and name == current and current != _IMPORT:
                    seconds = time.monotonic() - started
                    if kind_ == "result":
                        try:
                            outcomes[name] = ProbeOutcome(True, data=plain.loads(str(event.get("data"))), seconds=seconds)
                        except (ValueError, TypeError) as exc:
                            outcomes[name] = ProbeOutcome(False, error=f"unreadable result ({exc})", seconds=seconds)
                    else:
                        outcomes[name] = ProbeOutcome(False, error=str(event.get("error"))[:4000], seconds=seconds)
                    current = None
                    progressed = True
                elif kind_ == "import_error":
                    message = "your module failed to import: " + str(event.get("error"))[:4000]
                    for n in names:
                        outcomes.setdefault(n, ProbeOutcome(False, error=message))
                    progressed = True
                elif kind_ == "done":
                    # Stop here: a process the student forked may hold the pipe open forever.
                    return progressed
    finally:
        selector.close()
        os.close(read_fd)
        if proc.poll() is None:
            _kill(proc)
        proc.wait()
    status = proc.returncode
    why = f"killed by signal {-status}" if status and status < 0 else f"exited with status {status}"
    if current == _IMPORT:
        for n in names:
            outcomes.setdefault(n, ProbeOutcome(False, error=f"the process {why} while importing your module"))
        return True
    if current is not None and current not in outcomes:
        outcomes[current] = ProbeOutcome(False, error=f"the process {why} while this test ran")
        progressed = True
    return progressed


_IMPORT = "<import>"


def _import_timeout(timeouts: dict[str, float]) -> float:
    return max(timeouts.values(), default=30.0)


def _parse(line: bytes) -> dict:
    """One protocol line from the untrusted child; anything odd is ignored."""
    try:
        event = json.loads(line)
    except (ValueError, RecursionError, MemoryError):
        return {}
    return event if isinstance(event, dict) else {}
