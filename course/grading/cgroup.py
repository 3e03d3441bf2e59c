"""A control group per grading child, where the grader may make one (as root).

Limits of one process (``RLIMIT_AS``) do not add up over forks, and pages of a RAM-backed
``/tmp`` or of memory files belong to no process at all; a control group counts them all,
bounds the number of processes of this child alone (classmates graded beside it are in
groups of their own), and, when the child ends, finds every process it left behind, even
ones that started a new session. cgroup v2 and v1 (``memory`` and ``pids``) are supported;
elsewhere (no root, no writable hierarchy) the grader falls back to resource limits.
"""

from __future__ import annotations

import functools
import itertools
import os
import signal
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
_names = itertools.count()


def _own_path(controller: str) -> str | None:
    """This process's group in the hierarchy of ``controller`` ("" for cgroup v2)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers.split(",") == [controller] or (controller == "" and controllers == ""):
            return path
    return None


def _writable(folder: Path) -> bool:
    probe = folder / f"course-probe-{os.getpid()}"
    try:
        probe.mkdir()
        probe.rmdir()
        return True
    except OSError:
        return False


@functools.lru_cache(maxsize=1)
def parents() -> dict[str, Path] | None:
    """Where this process may make groups: {"v2": dir} or {"memory": dir, "pids": dir}."""
    if os.geteuid() != 0:
        return None
    if (ROOT / "cgroup.controllers").is_file():
        path = _own_path("")
        if path is None:
            return None
        base = ROOT / path.lstrip("/")
        try:
            controllers = (base / "cgroup.controllers").read_text().split()
        except OSError:
            return None
        if {"memory", "pids"} <= set(controllers) and _writable(base):
            return {"v2": base}
        return None
    found = {}
    for controller in ("memory", "pids"):
        path = _own_path(controller)
        if path is None:
            return None
        base = ROOT / controller / path.lstrip("/")
        if not _writable(base):
            return None
        found[controller] = base
    return found


class Group:
    """One child's control group(s): made before it starts, emptied and removed after."""

    def __init__(self, memory_bytes: int, processes: int):
        where = parents()
        if where is None:
            raise OSError("no control groups here")
        name = f"course-grade-{os.getpid()}-{next(_names)}"
        self.dirs = [base / name for base in where.values()]
        for folder in self.dirs:
            folder.mkdir()
        try:
            if "v2" in where:
                folder = self.dirs[0]
                (folder / "memory.max").write_text(str(memory_bytes))
                _try_write(folder / "memory.swap.max", "0")
                (folder / "pids.max").write_text(str(processes))
            else:
                memory, pids = self.dirs
                (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
                _try_write(memory / "memory.memsw.limit_in_bytes", str(memory_bytes))
                (pids / "pids.max").write_text(str(processes))
        except OSError:
            self.close()
            raise

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` started inside the group: a shell joins it, then becomes the command, so
        every process the child ever starts is born inside."""
        procs = [str(folder / "cgroup.procs") for folder in self.dirs]
        join = " ".join(f'echo $$ > "${i + 1}" &&' for i in range(len(procs)))
        return ["/bin/sh", "-c", f'{join} shift {len(procs)} && exec "$@"', "sh", *procs, *argv]

    def out_of_memory(self) -> bool:
        """Whether the kernel stopped a process of the group for its memory limit."""
        folder = self.dirs[0]
        name = "memory.events" if (folder / "memory.events").is_file() else "memory.oom_control"
        try:
            events = dict(line.split()[:2] for line in (folder / name).read_text().splitlines() if line.strip())
            return int(events.get("oom_kill", 0)) > 0
        except (OSError, ValueError):
            return False

    def close(self) -> None:
        """Kill whatever is left in the group (a forked helper, say), then remove it."""
        for folder in self.dirs:
            for _ in range(50):
                try:
                    pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
                except (OSError, ValueError):
                    break
                if not pids:
                    break
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                time.sleep(0.02)
            try:
                folder.rmdir()
            except OSError:
                pass


def _try_write(path: Path, value: str) -> None:
    try:
        path.write_text(value)
    except OSError:
        pass  # no swap accounting here: the memory limit alone still holds


@functools.lru_cache(maxsize=1)
def _sweep() -> None:
    """Remove empty groups left by graders that died before their clean-up."""
    for base in (parents() or {}).values():
        for folder in base.glob("course-grade-*"):
            try:
                os.kill(int(folder.name.split("-")[2]), 0)
            except ProcessLookupError:
                try:
                    folder.rmdir()
                except OSError:
                    pass
            except (OSError, ValueError, IndexError):
                pass


def make(memory_bytes: int, processes: int) -> Group | None:
    """A group for one child, or None where groups cannot be made."""
    if parents() is None:
        return None
    _sweep()
    try:
        return Group(memory_bytes, processes)
    except OSError:
        return None
