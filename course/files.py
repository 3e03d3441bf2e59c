"""Files written whole or not at all, with the permissions of ordinary new files.

Every output of the engine (decks, the lock, workspaces, grades, releases) goes through
:func:`atomic_write_bytes` or :func:`make_temp_dir`, so an interrupted run never leaves a
half-written file behind.
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path


def _create_unique(parent: Path, prefix: str, suffix: str, make) -> Path:
    """Create a new, unused name in ``parent`` with ``make(path)``; retry on a clash."""
    for _ in range(100):
        path = parent / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            make(path)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary name", str(parent))


def make_temp_dir(parent: Path, prefix: str) -> Path:
    """A new folder in ``parent`` with the permissions of ``mkdir`` (0777 less the umask).

    ``tempfile.mkdtemp`` makes it 0700, so a released folder moved into place would be
    private; a student edition or a classroom repository is meant to be read by others.
    """
    return _create_unique(parent, prefix, "", lambda p: os.mkdir(p, 0o777))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file whole or not at all (temporary file in the same folder, then rename).

    The file gets the permissions of an ordinary new file (0666 less the umask, so usually
    0644), not ``mkstemp``'s 0600: decks, workspaces and grades are meant to be shared.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fds: list[int] = []

    def create(candidate: Path) -> None:
        fds.append(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666))

    tmp = _create_unique(path.parent, f".{path.name}.", ".tmp", create)
    try:
        with os.fdopen(fds[0], "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
