"""Where the course content (``cards/`` and ``labs/``) lives.

Order of precedence: an explicit directory (``--course-dir``), the ``COURSE_DIR``
environment variable, the copy packed inside the wheel (``course/_content``), and last
the checkout the package was imported from (editable installs).
"""

from __future__ import annotations

import os
from pathlib import Path

from course.errors import CourseError

ENV_VAR = "COURSE_DIR"
_PACKAGE_DIR = Path(__file__).resolve().parent


def _is_course(path: Path) -> bool:
    return (path / "labs" / "manifest.toml").is_file() or (path / "cards").is_dir()


def content_root(override: str | os.PathLike | None = None) -> Path:
    """Return the directory that holds ``cards/`` and ``labs/``."""
    explicit = override or os.environ.get(ENV_VAR)
    if explicit:
        path = Path(explicit).expanduser().resolve()
        if not _is_course(path):
            source = "--course-dir" if override else ENV_VAR
            raise CourseError(f"{source}: {path} holds no cards/ or labs/manifest.toml")
        return path
    for candidate in (_PACKAGE_DIR / "_content", _PACKAGE_DIR.parent):
        if _is_course(candidate):
            return candidate
    raise CourseError("no course content found: pass --course-dir or set COURSE_DIR")


def package_dir() -> Path:
    """The directory of the ``course`` package itself (engine code only)."""
    return _PACKAGE_DIR
