"""What a graded test is, as the grader sees it: a ``GradedTest`` (probe, points, check),
the ``REFERENCE`` marker, an ``Oracle`` value, and how they are collected from a test module.

The lab authors' API that builds them (``@graded``, ``oracle()``) is :mod:`course.grading.testing`;
the grader (:mod:`course.grading.grade`, the sandboxed child) needs only this model.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

from course.grading.compare import assert_close
from course.grading.plain import roundtrip


class _Reference:
    def __repr__(self) -> str:
        return "REFERENCE"


REFERENCE: Any = _Reference()
NO_EXPECT: Any = object()


@dataclass
class GradedTest:
    name: str
    task: int
    points: float
    probe: Callable[[ModuleType], Any]
    expect: Any = NO_EXPECT
    check_fn: Callable[..., None] | None = None
    rtol: float = 1e-7
    atol: float = 0.0
    timeout: float | None = None
    line: int = 0
    hidden: bool = False
    names: tuple[str, ...] | None = None

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.probe) or ""

    @property
    def uses_reference(self) -> bool:
        if self.expect is REFERENCE:
            return True
        return self.check_fn is not None and len(inspect.signature(self.check_fn).parameters) >= 2

    def verify(self, got: Any, ref: Any = None) -> None:
        """Raise AssertionError (with a teaching message) unless ``got`` passes."""
        if self.check_fn is not None:
            if self.uses_reference:
                self.check_fn(got, ref)
            else:
                self.check_fn(got)
        else:
            expected = ref if self.expect is REFERENCE else self.expect
            assert_close(got, expected, rtol=self.rtol, atol=self.atol, names=self.names)


class Oracle:
    """An expected value that depends only on a test file's own fixed inputs (torch's output on
    seeded tensors, say): declared with :func:`oracle`, computed once and cached by the grader.

    Calling it gives the value as plain data (as a probe's result would arrive): the grader's
    cached copy when it has one, else computed here (a local pytest run).
    """

    def __init__(self, fn: Callable[..., Any], args: tuple):
        for arg in args:
            if type(arg) not in (int, float, bool, str, type(None)):
                raise TypeError(f"oracle({fn.__qualname__}): arguments must be numbers, strings or None, got {arg!r}")
        self.fn, self.args = fn, args
        self.key = f"{fn.__qualname__}{args!r}"
        self._value: Any = NO_EXPECT

    def compute(self) -> Any:
        return roundtrip(self.fn(*self.args), f"oracle {self.key}")

    def supply(self, value: Any) -> None:
        """The grader's cached value (plain data), used instead of computing it again."""
        self._value = value

    def __call__(self) -> Any:
        if self._value is NO_EXPECT:
            self._value = self.compute()
        return self._value


def oracles(module: ModuleType) -> list[Oracle]:
    """The oracles a test module declared, in the order it declared them."""
    return list(vars(module).get("__oracles__", {}).values())


def collect(module: ModuleType, hidden_ranges: list[tuple[int, int]] = ()) -> list[GradedTest]:
    """The graded tests of a test module, in source order, with ``hidden`` filled in."""
    tests = []
    for value in vars(module).values():
        spec = getattr(value, "__graded__", None)
        if isinstance(spec, GradedTest):
            spec.hidden = any(lo <= spec.line <= hi for lo, hi in hidden_ranges)
            tests.append(spec)
    return sorted(tests, key=lambda t: t.line)
