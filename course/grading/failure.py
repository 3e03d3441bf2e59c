"""An exception in student code, as structured data: where it happened and what it said.

The sandboxed child describes an exception with :meth:`Failure.from_exception` (its type,
message and the last frames of the student's own code: file, line, function, source line)
and sends :meth:`Failure.to_wire`. The parent accepts it with :meth:`Failure.from_wire`,
which trusts nothing: every field is type-checked and bounded. Renderers read the fields
(``failure.where.function``) instead of parsing text, and :meth:`Failure.text` is the one
way a failure is written out.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass

# The engine's own frames are left out: by where the engine is, not by a folder's name, so a
# student whose files sit under some "course/" folder keeps theirs.
_ENGINE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
MAX_FRAMES = 3  # the student's last frames: enough to place the error, short enough to read
_MAX_MESSAGE = 4000
_MAX_NAME = 200
_MAX_CODE = 500


@dataclass(frozen=True)
class Frame:
    file: str  # a base name (``f1.py``): the sandbox's paths mean nothing to a student
    line: int
    function: str
    code: str = ""


@dataclass(frozen=True)
class Failure:
    type: str
    message: str
    frames: tuple[Frame, ...] = ()
    syntax: bool = False  # a compile error: told as ``f1.py:474:``, the line and a caret
    caret: int = 0  # the caret's column in ``frames[-1].code`` (syntax errors)

    @property
    def where(self) -> Frame | None:
        """The innermost frame of the student's code, if any."""
        return self.frames[-1] if self.frames else None

    # --- in the child ---------------------------------------------------------------------

    @classmethod
    def from_exception(cls, exc: BaseException, module: str | None = None) -> Failure:
        """``exc`` as raised in the student's code (engine frames left out); with ``module``,
        a syntax error is placed in that module's file."""
        if module is not None and isinstance(exc, SyntaxError) and exc.lineno:
            text = (exc.text or "").rstrip("\n")
            indent = len(text) - len(text.lstrip())
            frame = Frame(f"{module}.py", exc.lineno, "<module>", text.strip())
            caret = max(0, (exc.offset or 1) - 1 - indent)
            return cls(type(exc).__name__, str(exc.msg), (frame,), syntax=True, caret=caret)
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if not os.path.abspath(f.filename).startswith(_ENGINE)]
        return cls(type(exc).__name__, str(exc),
                   tuple(Frame(os.path.basename(f.filename), f.lineno or 0, f.name, f.line or "")
                         for f in frames[-MAX_FRAMES:]))

    def to_wire(self) -> dict:
        return {"type": self.type, "message": self.message, "syntax": self.syntax, "caret": self.caret,
                "frames": [[f.file, f.line, f.function, f.code] for f in self.frames]}

    # --- in the parent ----------------------------------------------------------------------

    @classmethod
    def from_wire(cls, data: object) -> Failure:
        """What a child sent, checked field by field; anything odd becomes a plain message."""
        if not isinstance(data, dict):
            return cls("Error", _text(data, _MAX_MESSAGE))
        frames = []
        raw = data.get("frames")
        for item in raw[-MAX_FRAMES:] if isinstance(raw, list) else []:
            if isinstance(item, list) and len(item) == 4:
                file, line, function, code = item
                frames.append(Frame(_text(file, _MAX_NAME), _number(line), _text(function, _MAX_NAME),
                                    _text(code, _MAX_CODE)))
        return cls(_text(data.get("type"), _MAX_NAME) or "Error", _text(data.get("message"), _MAX_MESSAGE),
                   tuple(frames), syntax=data.get("syntax") is True, caret=min(_number(data.get("caret")), _MAX_CODE))

    def text(self) -> str:
        """The failure as a student reads it under a test (or once, for an import)."""
        where = self.where
        if self.syntax and where is not None:
            shown = f"{where.file}:{where.line}: {self.type}: {self.message}"
            return shown + (f"\n    {where.code}\n    {' ' * self.caret}^" if where.code else "")
        head = f"{self.type}: {self.message}" if self.message else self.type
        return head + "".join(f"\n  {f.file}:{f.line} in {f.function}" + (f": {f.code}" if f.code else "")
                              for f in self.frames)


def _text(value: object, limit: int) -> str:
    return (value if isinstance(value, str) else "" if value is None else repr(value)[:limit])[:limit]


def _number(value: object) -> int:
    return max(0, value) if isinstance(value, int) and not isinstance(value, bool) else 0
