"""How the grading child is started: bubblewrap where it works, resource limits always.

With bubblewrap the child runs in its own user, PID, network, IPC and UTS namespaces, as an
unprivileged user with no capabilities, in a new session that dies with the grader. It sees
a read-only system, the interpreter with its standard library and site-packages, the
engine's own code, its working copy of the one solution file, and a small private /tmp.
Every copy of the course content (reference solutions, hidden tests) and the reference
cache are masked, however the engine was installed. Without bubblewrap the child still gets
resource limits and an audit-hook guard (:mod:`course.grading.guard`), and results say so.
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import site
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from course.content import package_dir

ENV_VAR = "COURSE_SANDBOX"  # "auto" (default), "bwrap" or "none"
MEMORY_LIMIT = 4 * 1024**3
FILE_SIZE_LIMIT = 64 * 1024**2
TMP_SIZE = 256 * 1024**2  # the child's private /tmp (RAM-backed, so bounded)
MAX_PROCESSES = 64  # threads count too; a lab needs one or two
MAX_OPEN_FILES = 1024  # each open descriptor can hold memory (a memfd, a pipe)
NOBODY = 65534  # the unprivileged user the child runs as


@functools.lru_cache(maxsize=1)
def bwrap_works() -> bool:
    """True if bubblewrap is installed and can build the grading sandbox here."""
    exe = shutil.which("bwrap")
    if not exe:
        return False
    try:
        done = subprocess.run(
            [exe, *_namespace_args(), "--ro-bind", "/", "/", "--die-with-parent", "true"],
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
    processes: int | None = None

    def to_json(self) -> dict:
        return {"cpu": self.cpu_seconds, "memory": self.memory_bytes, "file": self.file_bytes, "nproc": self.processes}

    @staticmethod
    def apply_json(spec: dict) -> None:
        """Runs first thing in the child (limits can be lowered, never raised, afterwards)."""
        Limits(spec["cpu"], spec["memory"], spec["file"], spec.get("nproc")).apply()

    def apply(self) -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_seconds, self.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_bytes, self.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        files = min(MAX_OPEN_FILES, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
        resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))
        if self.processes is not None:
            # Per user: inside bubblewrap the child is the only process of its user (its own
            # user namespace, or the otherwise idle 'nobody' when the grader runs as root).
            resource.setrlimit(resource.RLIMIT_NPROC, (self.processes, self.processes))


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


def child_argv() -> list[str]:
    """The child's interpreter command. ``-I`` ignores PYTHONPATH, so the engine's own folder
    is put on ``sys.path`` explicitly (it may be a checkout that is not installed)."""
    engine_parent = str(package_dir().parent)
    bootstrap = f"import sys; sys.path.insert(0, {engine_parent!r}); from course.grading.child import main; main()"
    return [sys.executable, "-I", "-B", "-c", bootstrap]


def as_root() -> bool:
    return os.geteuid() == 0


def _namespace_args() -> list[str]:
    """Namespaces and privileges. As a normal user bubblewrap maps the user into a new user
    namespace and keeps no capabilities. As root a new user namespace would map the child to
    the real root (owner of the host's files, exempt from the process limit), so the child
    keeps only the capabilities to switch user and switches to 'nobody' before it reads
    anything (see :mod:`course.grading.child`)."""
    common = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
              "--new-session"]
    if as_root():
        return [*common, "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return [*common, "--unshare-user", "--disable-userns", "--cap-drop", "ALL"]


def drop_to() -> int | None:
    """The uid the child switches to first thing (bubblewrap as root), or None."""
    return NOBODY if as_root() else None


def python_roots() -> list[str]:
    """What the interpreter needs: its prefixes (standard library) and site-packages.

    Never ``sys.path`` as such: with ``python -m course`` it holds the current folder (a
    class's submissions, say), and with an editable install or PYTHONPATH a checkout that
    holds ``labs/``. The engine package is mounted on its own.
    """
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    roots.add(os.path.dirname(os.path.realpath(sys.executable)))
    # Package folders: this environment's, and others that a .pth file chains in.
    entries = [*site.getsitepackages(), site.getusersitepackages(), *sys.path]
    for packages in entries:
        if packages and os.path.basename(packages.rstrip(os.sep)) in ("site-packages", "dist-packages") \
                and os.path.isdir(packages):
            roots.add(os.path.realpath(packages))
    return sorted(roots)


def course_copies() -> list[Path]:
    """Every copy of the course content next to the engine that the child could reach: a
    wheel's ``course/_content`` (also left behind by an old editable install) in any
    site-packages, and ``labs/`` and ``cards/`` beside an engine run from a checkout."""
    found = [package_dir() / "_content", package_dir().parent / "labs", package_dir().parent / "cards"]
    for root in python_roots():
        found.append(Path(root) / "course" / "_content")
    out: list[Path] = []
    for path in found:
        real = Path(os.path.realpath(path))
        if real.is_dir() and real not in out:
            out.append(real)
    return out


def command(kind: str, argv: list[str], workdir: Path, hidden: list[Path]) -> list[str]:
    """The full command line that starts ``argv`` (a Python command) in the sandbox."""
    if kind != "bwrap":
        return argv
    cmd = [shutil.which("bwrap"), *_namespace_args(), "--die-with-parent"]
    for path in ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc"):
        cmd += ["--ro-bind-try", path, path]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_SIZE), "--perms", "1777", "--tmpfs", "/dev/shm"]
    cmd += ["--size", str(TMP_SIZE), "--perms", "1777", "--tmpfs", "/tmp"]
    engine = str(package_dir())
    binds = [*python_roots(), engine, str(workdir)]
    # Folders bubblewrap makes on the way to a mount are 0700 when it runs as root; the
    # child (then 'nobody') must be able to walk through them.
    parents = sorted({str(p) for b in binds for p in Path(b).parents if str(p) != "/"}, key=len)
    for parent in parents:
        cmd += ["--perms", "0755", "--dir", parent]
    for root in python_roots():
        cmd += ["--ro-bind", root, root]
    cmd += ["--ro-bind", engine, engine]
    # Mask content and caches that sit inside a mounted tree (a wheel's _content, say).
    for path in [*course_copies(), *hidden]:
        real = os.path.realpath(path)
        if os.path.isdir(real) and any(real == r or real.startswith(r + os.sep)
                                       for r in [*python_roots(), engine, "/usr", "/etc"]):
            cmd += ["--tmpfs", real]
    cmd += ["--ro-bind", str(workdir), str(workdir), "--chdir", str(workdir)]
    cmd += ["--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp", "--setenv", "TMPDIR", "/tmp"]
    cmd += ["--"]
    return cmd + argv
