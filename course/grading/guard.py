"""The fallback sandbox (no bubblewrap): an audit hook in the child that refuses escapes.

It hides the course content, the reference cache and classmates' work, allows writing only
inside the working folder (TMPDIR points there too), and refuses new programs, signals to
anything but the child itself and processes it forked, leaving the process group, network
access, local sockets outside the working folder, name resolution, FIFOs, device files and
memory files, and every call that names a folder by descriptor (``dir_fd``), which the hook
could not place. Calls that raise no audit event are replaced where Python code finds them.
It is a tripwire, not a security boundary: native code (and perhaps Python code that finds
an unreplaced door) can step around it. Bubblewrap is the boundary.

The standard library keeps working inside the working folder: ``shutil.rmtree`` (and so
``tempfile.TemporaryDirectory``) is switched to its path-based variant, and ``os.open``
accepts relative paths when called through the guard's own wrapper, which refuses
``dir_fd``.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_CHANGE_ONE = {"os.mkdir", "os.remove", "os.rmdir", "os.truncate", "os.chmod", "os.chown", "os.utime", "shutil.rmtree",
               "os.chflags", "os.lchflags", "os.setxattr", "os.removexattr"}
_CHANGE_TWO = {"os.rename"}
_PROGRAMS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "pty.spawn", "os.startfile"}
_FAMILIES = {socket.AF_INET, socket.AF_INET6, socket.AF_UNIX, -1}
_RESOLVE = {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr",
            "socket.getnameinfo", "socket.gethostname"}
# Events whose last arguments are ``dir_fd``-style folder descriptors (None when unused).
_DIR_FD_EVENTS = {"os.mkdir": (2,), "os.remove": (1,), "os.rmdir": (1,), "os.chmod": (2,), "os.chown": (3,),
                  "os.utime": (3,), "os.rename": (2, 3), "os.link": (2, 3), "os.symlink": (2,), "shutil.rmtree": (1,)}


def _writes(mode, flags) -> bool:
    """Whether an ``open`` audit event (builtin open or os.open) can write."""
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def _refuse(what: str):
    raise PermissionError(f"grading sandbox: {what} is not allowed")


def install(hidden: list[str], workdir: str) -> None:
    """Install the guard for the rest of this process (audit hooks cannot be removed)."""
    home = os.path.realpath(workdir) + os.sep
    # Classmates graded at the same time work in sibling folders (course-grade-*), and a
    # zipped submission is unpacked into course-sub-*: all of them are out of bounds.
    temp = os.path.dirname(os.path.dirname(home.rstrip(os.sep)))
    siblings = tuple(os.path.join(temp, prefix) for prefix in ("course-grade-", "course-sub-"))
    roots = tuple(os.path.realpath(h) + os.sep for h in hidden) + siblings
    real_open = os.open

    def _guarded_os_open(path, flags, mode=0o777, *, dir_fd=None):
        if dir_fd is not None:
            _refuse("os.open with dir_fd")
        return real_open(path, flags, mode)

    # Relative os.open is only safe where dir_fd is known to be unset: through the wrapper.
    wrapper_code = _guarded_os_open.__code__
    os.open = _guarded_os_open
    shutil._use_fd_functions = False  # rmtree by path: every step is visible to the hook

    # Calls that raise no audit event, replaced where Python code finds them.
    import _posixsubprocess
    import posix
    import signal

    def _stub(what: str):
        def refused(*args, **kwargs):
            _refuse(what)

        return refused

    for module in (os, posix):
        for name, what in (("mkfifo", "creating FIFOs"), ("mknod", "creating device files"),
                           ("memfd_create", "memory files"), ("pidfd_open", "signalling other processes"),
                           ("setsid", "leaving the process group"), ("setpgid", "leaving the process group"),
                           ("setpgrp", "leaving the process group")):
            if hasattr(module, name):
                setattr(module, name, _stub(what))
    _posixsubprocess.fork_exec = _stub("starting programs")  # what subprocess calls, unaudited
    if hasattr(signal, "pidfd_send_signal"):
        signal.pidfd_send_signal = _stub("signalling other processes")
    no_reimport = {"_posixsubprocess", "posix"}

    def real(path) -> str | None:
        """Where ``path`` (a name or an open descriptor) really is; None if unknown."""
        try:
            if isinstance(path, int):
                path = os.readlink(f"/proc/self/fd/{path}")
            return os.path.realpath(os.fsdecode(path)) + os.sep
        except (OSError, TypeError, ValueError):
            return None

    def blocked(path) -> bool:
        if path is None:
            return False
        where = real(path)
        return where is None or (where.startswith(roots) and not where.startswith(home))

    def own(pid) -> bool:
        """This process or one it forked (a DataLoader worker, say)."""
        if pid == os.getpid():
            return True
        try:
            with open(f"/proc/{int(pid)}/stat", "rb") as fh:
                return int(fh.read().rsplit(b")", 1)[1].split()[1]) == os.getpid()
        except (OSError, ValueError, IndexError):
            return False

    def inside(path) -> bool:
        where = real(path)
        return where is not None and where.startswith(home)

    def hook(event: str, args: tuple) -> None:
        if event in ("open", "os.listdir", "os.scandir", "shutil.copyfile", "os.chdir", "os.link", "os.symlink",
                     "os.rename") and args and blocked(args[0]):
            _refuse(f"access to {args[0]!r}")
        if event == "open" and len(args) > 1 and args[1] is None and isinstance(args[0], (str, bytes)) \
                and not os.path.isabs(args[0]) and sys._getframe(1).f_code is not wrapper_code:
            _refuse("os.open of a relative path outside the guard")
        if event in _DIR_FD_EVENTS and any(i < len(args) and args[i] not in (None, -1) for i in _DIR_FD_EVENTS[event]):
            _refuse(f"{event} with a folder descriptor (dir_fd)")
        if event == "os.chdir" and not (isinstance(args[0], (str, bytes, os.PathLike)) and inside(args[0])):
            _refuse("leaving the working folder")
        if event in ("os.link", "os.symlink"):
            _refuse("creating links")
        targets = ()
        if event == "open" and len(args) > 2 and _writes(args[1], args[2]):
            targets = args[:1]
        elif event in _CHANGE_ONE:
            targets = args[:1]
        elif event in _CHANGE_TWO:
            targets = args[:2]
        for target in targets:
            if not inside(target):
                _refuse(f"writing {target!r}")
        if event in _PROGRAMS:
            _refuse("starting programs or processes")
        if event in ("os.kill", "os.killpg") and not (event == "os.kill" and own(args[0])):
            _refuse("signalling other processes")
        if event == "socket.__new__" and len(args) > 1 and args[1] not in _FAMILIES:
            _refuse("this kind of socket")
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind") and len(args) > 1:
            address = args[1]
            if isinstance(address, (str, bytes)):
                # Local sockets only as files in the working folder (torch's DataLoader
                # workers pass data so); never abstract names or sockets of the host.
                if not address or address[:1] in ("\0", b"\0") or not inside(address):
                    _refuse(f"connecting to {address!r}")
            elif address is not None:
                _refuse("network access")
        if event in _RESOLVE:
            _refuse("name resolution")
        if event == "sqlite3.connect" and args and args[0] not in (":memory:", b":memory:", "") \
                and not inside(args[0]):
            _refuse(f"a database at {args[0]!r}")
        if event == "import" and args and args[0] in no_reimport:
            _refuse(f"importing {args[0]} again")

    sys.addaudithook(hook)
