"""How the grading child is started: bubblewrap where it works, resource limits always.

With bubblewrap the child sees a read-only system, no network, a private /tmp, and only
the engine's code and the lab's working copy: the course content (reference solutions,
hidden checks) and the reference-output cache are not mounted at all. Without it the
child still gets resource limits and an audit-hook guard, and results say so.
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from course.content import package_dir

ENV_VAR = "COURSE_SANDBOX"  # "auto" (default), "bwrap" or "none"
MEMORY_LIMIT = 4 * 1024**3
FILE_SIZE_LIMIT = 64 * 1024**2


@functools.lru_cache(maxsize=1)
def bwrap_works() -> bool:
    """True if bubblewrap is installed and can create its namespaces here."""
    exe = shutil.which("bwrap")
    if not exe:
        return False
    try:
        done = subprocess.run(
            [exe, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def choose(requested: str | None = None) -> str:
    """Resolve the sandbox kind: ``bwrap`` or ``none``."""
    kind = (requested or os.environ.get(ENV_VAR) or "auto").lower()
    if kind not in ("auto", "bwrap", "none"):
        from course.errors import CourseError

        raise CourseError(f"{ENV_VAR}/--sandbox: unknown sandbox '{kind}' (auto, bwrap or none)")
    if kind == "auto":
        return "bwrap" if bwrap_works() else "none"
    return kind


@dataclass
class Limits:
    cpu_seconds: int
    memory_bytes: int = MEMORY_LIMIT
    file_bytes: int = FILE_SIZE_LIMIT

    def to_json(self) -> dict:
        return {"cpu": self.cpu_seconds, "memory": self.memory_bytes, "file": self.file_bytes}

    @staticmethod
    def apply_json(spec: dict) -> None:
        """Runs first thing in the child (limits can be lowered, never raised, afterwards)."""
        Limits(spec["cpu"], spec["memory"], spec["file"]).apply()

    def apply(self) -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_seconds, self.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_bytes, self.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def child_env(workdir: Path) -> dict[str, str]:
    """A small, fixed environment: one thread per library, headless matplotlib.

    (The child runs ``python -I -B``, which ignores PYTHON* variables and writes no bytecode.)
    """
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(workdir),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(workdir),
        "TMPDIR": str(workdir),
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "TORCH_NUM_THREADS": "1",
    }


def _python_roots(hidden: list[Path]) -> list[str]:
    """Directories the interpreter and its packages need.

    The interpreter's prefixes are always mounted (hidden content inside them, such as a
    wheel's ``_content``, is masked with a tmpfs afterwards). Other ``sys.path`` entries that
    contain hidden content, such as an editable checkout holding ``labs/``, are left out;
    the engine package is mounted on its own instead.
    """
    hidden_real = [os.path.realpath(h) + os.sep for h in hidden]

    def contains_hidden(root: str) -> bool:
        return any(h.startswith(root + os.sep) for h in hidden_real)

    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    prefixes.add(os.path.dirname(os.path.realpath(sys.executable)))
    entries = {os.path.realpath(e) for e in sys.path if e and os.path.isdir(e)}
    return sorted(prefixes | {e for e in entries if not contains_hidden(e)})


def command(kind: str, argv: list[str], workdir: Path, hidden: list[Path]) -> list[str]:
    """The full command line that starts ``argv`` (a Python command) in the sandbox."""
    if kind != "bwrap":
        return argv
    cmd = [shutil.which("bwrap"), "--unshare-all", "--die-with-parent", "--new-session"]
    for path in ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc"):
        cmd += ["--ro-bind-try", path, path]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/dev/shm", "--tmpfs", "/tmp"]
    for root in _python_roots(hidden):
        cmd += ["--ro-bind", root, root]
    engine = str(package_dir())
    cmd += ["--ro-bind", engine, engine]
    # Mask content and caches that sit inside a mounted tree (a wheel's _content, say).
    for path in hidden:
        if path.is_dir():
            cmd += ["--tmpfs", str(path)]
    cmd += ["--ro-bind", str(workdir), str(workdir), "--chdir", str(workdir)]
    cmd += ["--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp", "--setenv", "TMPDIR", "/tmp"]
    cmd += ["--"]
    return cmd + argv
