"""What a student may see of a result: clean text, and no expected values of hidden tests.

Everything that came from student code (exception text, printed output, data) can hold
terminal escape sequences or bidirectional-text controls that rewrite what a reader sees;
:func:`clean` removes them before any text reaches a terminal, a Markdown file, JSON or CSV.
A hidden test's failure is told as pass/fail, the test's docstring and the *kind* of
difference (type, shape, keys, which entries), never the expected values, which a student
could otherwise copy from the feedback of a first submission into the next one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SHOW_ENTRIES = 5


def clean(text: str) -> str:
    """``text`` without control characters (tab and newline are kept)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _kind(value: Any) -> str:
    import numpy as np

    if isinstance(value, np.ndarray):
        return f"an array of shape {tuple(value.shape)}"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return f"a dict of {len(value)} keys"
    return "None" if value is None else f"a {type(value).__name__}"


def _numeric(value: Any) -> np.ndarray | None:
    import numpy as np  # numpy only once a hidden test has failed: clean() is imported early

    if isinstance(value, bool) or value is None or isinstance(value, (str, dict)):
        return None
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        return None
    return arr if arr.dtype.kind in "biuf" else None


def difference(got: Any, expected: Any, rtol: float = 1e-7, atol: float = 0.0, where: str = "result") -> str:
    """Where ``got`` departs from ``expected``, in words that give no expected value."""
    import numpy as np

    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"{where}: the type differs (got {_kind(got)})"
        if set(got) != set(expected):
            return (f"{where}: the keys differ ({len(set(expected) - set(got))} missing, "
                    f"{len(set(got) - set(expected))} extra)")
        for key in expected:
            inner = difference(got[key], expected[key], rtol, atol, f"{where}[{key!r}]")
            if inner:
                return inner
        return ""
    e, g = _numeric(expected), _numeric(got)
    if e is None or g is None:
        if type(got) is not type(expected) and not (isinstance(got, (list, tuple))
                                                    and isinstance(expected, (list, tuple))):
            return f"{where}: the type differs (got {_kind(got)})"
        if isinstance(expected, (list, tuple)):
            if len(got) != len(expected):
                return f"{where}: the length differs (got {len(got)} items)"
            for i, (gi, ei) in enumerate(zip(got, expected)):
                inner = difference(gi, ei, rtol, atol, f"{where}[{i}]")
                if inner:
                    return inner
            return ""
        return "" if got == expected else f"{where}: the value differs"
    if g.shape != e.shape:
        return f"{where}: the shape differs (got shape {tuple(g.shape)})"
    try:
        close = np.isclose(g.astype(float), e.astype(float), rtol=rtol, atol=atol, equal_nan=True)
    except (TypeError, ValueError):
        return f"{where}: the values differ"
    if close.all():
        return ""
    if e.ndim == 0:
        return f"{where}: the value differs"
    wrong = np.argwhere(~close)
    shown = ", ".join(str(list(map(int, idx))) for idx in wrong[:_SHOW_ENTRIES])
    more = f" and {len(wrong) - _SHOW_ENTRIES} more" if len(wrong) > _SHOW_ENTRIES else ""
    return f"{where}: {len(wrong)} of {close.size} entries differ, at {shown}{more}"


def hidden_failure(doc: str, got: Any = None, expected: Any = None, *, compared: bool, rtol: float = 1e-7,
                   atol: float = 0.0) -> str:
    """The student's message for a failed hidden test."""
    # The first paragraph, joined: a test's description may run over several source lines.
    what = " ".join(doc.strip().split("\n\n")[0].split()) or "(no description)"
    lines = [f"hidden test failed: {what}"]
    if compared:
        try:
            kind = difference(got, expected, rtol, atol)
        except Exception:  # noqa: BLE001  (odd data from a student must not stop grading)
            kind = ""
        lines.append(kind or "the result differs from the expected one")
    else:
        lines.append("the result did not pass this test's check")
    lines.append("(a hidden test shows no expected values)")
    return "\n".join(lines)
