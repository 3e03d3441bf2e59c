"""The API a lab's test file uses: ``@graded`` probes and their checks.

A graded test is split in two so that student code never runs where results are judged:

* the **probe** (the decorated function) takes the student's module, calls it and returns
  plain data (numbers, lists, dicts, arrays). During grading it runs in a sandboxed child.
* the **check** runs in the trusted grader on that data: either ``expect=`` a constant
  (compared with :func:`course.grading.compare.assert_close`), ``expect=REFERENCE`` (the same
  probe run on the reference solution), or ``check=fn(got)`` / ``check=fn(got, ref)`` that
  raises ``AssertionError`` with a teaching message.

Example::

    @graded(task=1, points=2, expect=[[1, 0], [1, 1]])
    def test_confusion_small(lab):
        return lab.confusion_counts([0, 1, 1], [0, 1, 0], labels=[0, 1])

Run under plain pytest, a graded test loads ``<slug>.py`` from its own folder, probes it,
round-trips the result through the same plain-data encoding and runs the check in-process:
that is the student's quick local loop. Tests between ``### BEGIN HIDDEN TESTS`` and
``### END HIDDEN TESTS`` are hidden: only ``course lab check`` and ``course grade`` run them.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from course.grading.compare import assert_close
from course.grading.plain import roundtrip

__all__ = ["graded", "REFERENCE", "assert_close", "GradedTest", "collect", "oracle", "Oracle", "oracles"]


class _Reference:
    def __repr__(self) -> str:
        return "REFERENCE"


REFERENCE: Any = _Reference()
_NOTHING: Any = object()


@dataclass
class GradedTest:
    name: str
    task: int
    points: float
    probe: Callable[[ModuleType], Any]
    expect: Any = _NOTHING
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


def graded(
    task: int,
    points: float,
    *,
    expect: Any = _NOTHING,
    check: Callable[..., None] | None = None,
    rtol: float = 1e-7,
    atol: float = 0.0,
    timeout: float | None = None,
    names: tuple[str, ...] | list[str] | None = None,
) -> Callable[[Callable], Callable]:
    """Mark a probe as a graded test worth ``points`` towards task ``task``.

    ``names`` names the parts of a stacked result (a tuple such as precision, recall, F,
    support), so that a failure says which quantity differs rather than an index.
    """
    if (expect is _NOTHING) == (check is None):
        raise TypeError("graded(): give exactly one of expect= or check=")

    def decorate(probe: Callable[[ModuleType], Any]) -> Callable[[], None]:
        spec = GradedTest(
            name=probe.__name__,
            task=task,
            points=float(points),
            probe=probe,
            expect=expect,
            check_fn=check,
            rtol=rtol,
            atol=atol,
            timeout=timeout,
            line=probe.__code__.co_firstlineno,
            names=tuple(names) if names is not None else None,
        )

        @functools.wraps(probe)
        def run_locally() -> None:
            module = _solution_next_to(probe)
            # The reference first: when it cannot be had the test is skipped, not run on
            # the student's code against itself (a comparison that could never fail).
            ref = _reference_data(probe, spec) if spec.uses_reference else None
            got = roundtrip(probe(module))
            spec.verify(got, ref)

        run_locally.__signature__ = inspect.Signature()  # pytest must not look for fixtures
        run_locally.__graded__ = spec
        return run_locally

    return decorate


_loaded: dict[Path, ModuleType] = {}


def _solution_next_to(probe: Callable) -> ModuleType:
    """Import ``<slug>.py`` from the folder of the test file ``test_<slug>.py``."""
    test_file = Path(inspect.getsourcefile(probe)).resolve()
    slug = test_file.stem.removeprefix("test_")
    path = test_file.with_name(f"{slug}.py")
    if path not in _loaded:
        spec = importlib.util.spec_from_file_location(slug, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[slug] = module
        spec.loader.exec_module(module)
        _loaded[path] = module
    return _loaded[path]


def _reference_data(probe: Callable, spec: GradedTest) -> Any:
    """The probe's data on the course's reference solution, for a local run of a test that
    compares with it; ``pytest.skip`` (with the reason) when no reference can be had.

    The data come from the grader's reference cache (the course's own copy of the test, run
    on the course's reference solution), never from the module under test: comparing the
    student's module with itself would pass whatever it computes.
    """
    import pytest

    from course.errors import CourseError

    slug = Path(inspect.getsourcefile(probe)).stem.removeprefix("test_")
    try:
        from course.content import content_root
        from course.grading.grade import load_tests, reference_outputs
        from course.labs.manifest import load_manifest

        lab = load_manifest(content_root()).get(slug)
        tests = [t for t in load_tests(lab) if t.name == spec.name and t.uses_reference]
        if not tests:
            pytest.skip(f"{spec.name} compares with the reference solution, and the course's copy of lab "
                        f"{slug} has no such test; run `course lab check {slug}`")
        return reference_outputs(lab, tests)[spec.name]
    except CourseError as exc:
        pytest.skip(f"{spec.name} compares with the reference solution, which is not available here ({exc}); "
                    f"run `course lab check {slug}`")


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
        self._value: Any = _NOTHING

    def compute(self) -> Any:
        return roundtrip(self.fn(*self.args), f"oracle {self.key}")

    def supply(self, value: Any) -> None:
        """The grader's cached value (plain data), used instead of computing it again."""
        self._value = value

    def __call__(self) -> Any:
        if self._value is _NOTHING:
            self._value = self.compute()
        return self._value


def oracle(fn: Callable[..., Any], *args: Any) -> Oracle:
    """Declare ``fn(*args)`` (plain data out, fixed inputs in) as an expected value a check uses.

    Declare it where the test module is imported (at top level, or in a factory that builds a
    check), and call the returned object inside the check::

        _SDPA = oracle(_sdpa_expected)

        def _check(got):
            assert_close(got, _SDPA(), ...)

    The grader computes every declared oracle once per version of the test file and of the
    engine, keeps the values in its cache (never shown to student code) and reuses them.
    """
    made = Oracle(fn, args)
    module = sys.modules.get(getattr(fn, "__module__", None) or "")
    if module is not None:
        module.__dict__.setdefault("__oracles__", {}).setdefault(made.key, made)
        made = module.__dict__["__oracles__"][made.key]
    return made


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
