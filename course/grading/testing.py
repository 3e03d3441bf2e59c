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
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from course.grading.compare import assert_close
from course.grading.plain import roundtrip
from course.grading.spec import NO_EXPECT, REFERENCE, GradedTest, Oracle, collect, oracles

__all__ = ["graded", "REFERENCE", "assert_close", "GradedTest", "collect", "oracle", "Oracle", "oracles"]


def graded(
    task: int,
    points: float,
    *,
    expect: Any = NO_EXPECT,
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
    if (expect is NO_EXPECT) == (check is None):
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
