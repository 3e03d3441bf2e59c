"""Teaching comparisons: type and shape before values, then the first differing value.

These run on the trusted side only, on plain data (see :mod:`course.grading.plain`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

SHOW_WHOLE = 16  # arrays up to this many values are printed whole in a failure


def describe(value: Any) -> str:
    """A short description of a value's type and shape, for feedback messages."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return f"bool {value}"
    if isinstance(value, (int, float)):
        return f"{type(value).__name__} {value!r}"
    if isinstance(value, str):
        return f"str {value[:40]!r}"
    if isinstance(value, np.ndarray):
        return f"{value.dtype} array of shape {tuple(value.shape)}"
    if isinstance(value, list):
        return f"list of {len(value)} items"
    if isinstance(value, dict):
        return f"dict with keys {sorted(value)}"
    return type(value).__name__


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


def _as_array(value: Any) -> np.ndarray | None:
    """A list/number/array as a numeric array, or None if it is not rectangular numbers."""
    if isinstance(value, np.ndarray):
        return value
    if _is_number(value) or isinstance(value, bool):
        return np.asarray(value)
    if isinstance(value, list):
        try:
            arr = np.asarray(value)
        except ValueError:
            return None
        return arr if arr.dtype.kind in "biuf" else None
    return None


def _fmt(x: Any, digits: int = 8) -> str:
    """``x`` with ``digits`` significant digits (positional for ordinary magnitudes)."""
    if isinstance(x, np.generic):
        x = x.item()
    if not isinstance(x, float):
        return repr(x)
    return f"{x:.{digits}g}"


def _fmt_pair(expected: Any, got: Any) -> tuple[str, str]:
    """Both values printed with the fewest digits (at least 8, at most 17) that tell them apart.

    "expected 0.0008297, got 0.0008297" teaches nothing: when two floats differ only in the
    10th digit, both are printed to the 10th digit.
    """
    e = expected.item() if isinstance(expected, np.generic) else expected
    g = got.item() if isinstance(got, np.generic) else got
    if isinstance(e, int) and isinstance(g, float) or isinstance(g, int) and isinstance(e, float):
        e, g = float(e), float(g)
    for digits in range(8, 18):
        a, b = _fmt(e, digits), _fmt(g, digits)
        if a != b or e == g:
            return a, b
    return repr(e), repr(g)


def _exactly_equal(got: Any, expected: Any) -> bool:
    """True when ``got`` is ``expected`` exactly (NaN matching NaN), in a form that
    :func:`assert_close` accepts whatever its tolerances. Conservative: anything unusual is
    False and goes the long way, which also writes the message. A check of correct work is
    then one C-speed comparison per container instead of an array conversion per leaf."""
    kind = type(expected)
    if kind is float:
        if type(got) is int:
            # In a list, an int past 64 bits makes the long way's array one of objects, which it
            # refuses: only ints that numpy holds as numbers stand for a float here.
            return -2**63 <= got < 2**63 and got == expected
        return type(got) is float and (got == expected or (expected != expected and got != got))
    if kind is int:
        return type(got) in (int, float) and got == expected
    if kind in (bool, str) or expected is None:
        return type(got) is kind and got == expected
    if kind is list or kind is tuple:
        return (type(got) in (list, tuple) and len(got) == len(expected)
                and all(_exactly_equal(g, e) for g, e in zip(got, expected)))
    if kind is dict:
        return type(got) is dict and all(k in got and _exactly_equal(got[k], v) for k, v in expected.items())
    if kind is np.ndarray:
        if type(got) is not np.ndarray or got.shape != expected.shape:
            return False
        if expected.dtype.kind == "b":
            return got.dtype.kind == "b" and bool(np.array_equal(got, expected))
        if expected.dtype.kind not in "iuf" or got.dtype.kind not in "biuf":
            return False
        return bool(np.array_equal(got.astype(float), expected.astype(float), equal_nan=True))
    return False


def assert_close(got: Any, expected: Any, *, rtol: float = 1e-7, atol: float = 0.0, name: str = "result",
                 names: Any = None) -> None:
    """Assert that ``got`` matches ``expected``: same structure, same shape, close values.

    NaN matches NaN. Lists, tuples and arrays of the same shape compare alike; the message
    names the first place they part and says what was expected and what came.
    ``names`` (a sequence of strings) names the parts of a stacked result, e.g.
    ``("precision", "recall", "f1", "support")``: a difference is then reported as
    ``result[recall]`` rather than as an index into one array.
    """
    if _exactly_equal(got, expected):
        return
    if isinstance(expected, tuple):
        expected = list(expected)
    if isinstance(got, tuple):
        got = list(got)
    if names is not None and isinstance(expected, (list, np.ndarray)) and len(expected) == len(names):
        if not isinstance(got, (list, np.ndarray)) or len(got) != len(names):
            raise AssertionError(
                f"{name}: expected {len(names)} parts ({', '.join(map(str, names))}), got {describe(got)}")
        for part, g, e in zip(names, got, expected):
            assert_close(g, e, rtol=rtol, atol=atol, name=f"{name}[{part}]")
        return
    if isinstance(expected, dict) and names is not None:
        # A dict of stacked results: name the parts of each value.
        if not isinstance(got, dict):
            raise AssertionError(f"{name}: expected {describe(expected)}, got {describe(got)}")
        missing = sorted(set(expected) - set(got), key=repr)
        if missing:
            raise AssertionError(f"{name}: missing keys {missing} (got keys {sorted(got, key=repr)})")
        for key in expected:
            assert_close(got[key], expected[key], rtol=rtol, atol=atol, name=f"{name}[{key!r}]", names=names)
        return
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            raise AssertionError(f"{name}: expected {describe(expected)}, got {describe(got)}")
        missing = sorted(set(expected) - set(got))
        if missing:
            raise AssertionError(f"{name}: missing keys {missing} (got keys {sorted(got)})")
        for key in expected:
            assert_close(got[key], expected[key], rtol=rtol, atol=atol, name=f"{name}[{key!r}]")
        return
    if expected is None or isinstance(expected, str):
        if got != expected or type(got) is not type(expected):
            raise AssertionError(f"{name}: expected {describe(expected)}, got {describe(got)}")
        return
    if isinstance(expected, list) and _as_array(expected) is None:
        if not isinstance(got, list) or len(got) != len(expected):
            raise AssertionError(f"{name}: expected {describe(expected)}, got {describe(got)}")
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_close(g, e, rtol=rtol, atol=atol, name=f"{name}[{i}]")
        return
    exp = _as_array(expected)
    arr = _as_array(got)
    if arr is None:
        raise AssertionError(f"{name}: expected {describe(expected)}, got {describe(got)}")
    if arr.shape != exp.shape:
        raise AssertionError(
            f"{name}: expected shape {tuple(exp.shape)}, got shape {tuple(arr.shape)} ({describe(got)})"
        )
    if exp.dtype.kind == "b" and arr.dtype.kind != "b":
        raise AssertionError(f"{name}: expected booleans, got {describe(got)}")
    ok = np.isclose(arr.astype(float), exp.astype(float), rtol=rtol, atol=atol, equal_nan=True)
    if not ok.all():
        bad = np.argwhere(~ok)
        first = tuple(int(i) for i in bad[0])
        where = f" at index {first}" if exp.ndim else ""
        e_val, g_val = _fmt_pair(exp[first] if exp.ndim else exp.item(), arr[first] if arr.ndim else arr.item())
        if exp.dtype.kind == "b":
            detail = ""
        else:
            with np.errstate(invalid="ignore"):
                diffs = np.abs(arr.astype(float) - exp.astype(float))[~ok]
            finite = diffs[np.isfinite(diffs)]
            detail = (f" ({f'max abs diff {_fmt(float(finite.max()), 3)}, ' if finite.size else ''}"
                      f"rtol {rtol}, atol {atol})")
        message = (
            f"{name}: values differ at {len(bad)} of {exp.size} positions; first{where}: "
            f"expected {e_val}, got {g_val}{detail}"
        )
        if 1 < exp.size <= SHOW_WHOLE:
            # Small results are easiest to read whole (which column is a distance, which an id).
            digits = max(len(e_val.lstrip("-").replace(".", "").lstrip("0")), 8)
            with np.printoptions(precision=min(digits, 17)):
                message += (f"\n  expected: {np.array2string(exp, separator=', ')}"
                            f"\n  got:      {np.array2string(arr, separator=', ')}")
        raise AssertionError(message)
