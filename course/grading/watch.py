"""``course lab watch``: answer on save.

After each check the watcher starts the next sandboxed child at once (see
:func:`course.grading.grade.prepare`): it imports the heavy libraries and the probes while
the student edits, and imports the student's file only when the file changed, so student
code still runs in a fresh process each time. The one-line verdict comes first, the table
after. Saves are noticed through inotify where the system has it (no polling delay), else by
looking at the file every ``interval`` seconds.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
import time
from pathlib import Path

_IN_CLOSE_WRITE, _IN_MOVED_TO, _IN_CREATE, _IN_DELETE = 0x008, 0x080, 0x100, 0x200
_IN_NONBLOCK, _IN_CLOEXEC = 0o4000, 0o2000000


def stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when the file is saved (None while an editor renames it into place)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


class Saves:
    """Waits for the next save of one file: inotify on its folder, or polling."""

    def __init__(self, path: Path, interval: float):
        self.path, self.interval = path, interval
        self.fd = -1
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            fd = libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
            if fd >= 0:
                mask = _IN_CLOSE_WRITE | _IN_MOVED_TO | _IN_CREATE | _IN_DELETE
                if libc.inotify_add_watch(fd, os.fsencode(path.parent), mask) >= 0:
                    self.fd = fd
                else:
                    os.close(fd)
        except (OSError, AttributeError):
            self.fd = -1

    def wait(self, last: tuple | None) -> tuple | None:
        """Block until the file's stamp differs from ``last``; return the new stamp."""
        while True:
            now = stamp(self.path)
            if now != last:
                return now
            if self.fd < 0:
                time.sleep(self.interval)
                continue
            ready, _, _ = select.select([self.fd], [], [], max(self.interval, 1.0))
            if ready:
                self._drain()

    def _drain(self) -> None:
        try:
            while os.read(self.fd, 65536):
                pass
        except BlockingIOError:
            pass

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
