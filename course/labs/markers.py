"""nbgrader-style single-source markers.

In a reference solution, the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
become a TODO and ``raise NotImplementedError`` in the student stub, so stub and solution
cannot drift. In a test file, the lines between ``### BEGIN HIDDEN TESTS`` and
``### END HIDDEN TESTS`` are removed from the student copy.
"""

from __future__ import annotations

import re

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"

_TODO_RE = re.compile(r"###\s*BEGIN SOLUTION\s*(?:\((?P<todo>.*)\))?\s*$")


class MarkerError(ValueError):
    """Unbalanced or nested markers; the message is ``line N: ...``."""


def _blocks(lines: list[str], begin: str, end: str) -> list[tuple[int, int]]:
    """Return (begin_index, end_index) pairs, checking balance."""
    blocks, start = [], None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(begin):
            if start is not None:
                raise MarkerError(f"line {i + 1}: '{begin}' inside an open block (opened at line {start + 1})")
            start = i
        elif stripped.startswith(end):
            if start is None:
                raise MarkerError(f"line {i + 1}: '{end}' without '{begin}'")
            blocks.append((start, i))
            start = None
    if start is not None:
        raise MarkerError(f"line {start + 1}: '{begin}' is never closed")
    return blocks


def make_stub(source: str) -> str:
    """Replace every solution block by a TODO and ``raise NotImplementedError``.

    ``### BEGIN SOLUTION (compute the confusion counts)`` puts its parenthesised text into
    the TODO line, so the stub tells the student what the block must do.
    """
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    cursor = 0
    for begin, end in _blocks(lines, BEGIN_SOLUTION, END_SOLUTION):
        out.extend(lines[cursor:begin])
        marker = lines[begin]
        indent = marker[: len(marker) - len(marker.lstrip())]
        match = _TODO_RE.search(marker.strip())
        todo = (match.group("todo") if match and match.group("todo") else "your code here").strip()
        out.append(f"{indent}# TODO: {todo}\n")
        out.append(f"{indent}raise NotImplementedError\n")
        cursor = end + 1
    out.extend(lines[cursor:])
    return "".join(out)


def strip_solution_markers(source: str) -> str:
    """The reference as students see it after passing: markers removed, code kept."""
    lines = source.splitlines(keepends=True)
    _blocks(lines, BEGIN_SOLUTION, END_SOLUTION)
    keep = [ln for ln in lines if not ln.strip().startswith((BEGIN_SOLUTION, END_SOLUTION))]
    return "".join(keep)


def strip_hidden_tests(source: str) -> str:
    """The public test file: hidden-test blocks removed."""
    lines = source.splitlines(keepends=True)
    out, cursor = [], 0
    for begin, end in _blocks(lines, BEGIN_HIDDEN, END_HIDDEN):
        out.extend(lines[cursor:begin])
        cursor = end + 1
    out.extend(lines[cursor:])
    return "".join(out)


def hidden_line_ranges(source: str) -> list[tuple[int, int]]:
    """1-based inclusive line ranges of hidden-test blocks."""
    lines = source.splitlines()
    return [(b + 1, e + 1) for b, e in _blocks(lines, BEGIN_HIDDEN, END_HIDDEN)]
