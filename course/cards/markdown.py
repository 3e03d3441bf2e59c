"""The bits of Markdown that both the card parser and lint must read the same way: fenced code
blocks (never structure, never math or cloze) and the hashtag syntax."""

from __future__ import annotations

import re
from typing import Iterable, Iterator

FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
TAG_RE = re.compile(r"^#[A-Za-z0-9][A-Za-z0-9_/-]*$")


class FenceTracker:
    """Fed a text's lines in order, tells whether each belongs to a fenced code block.

    The fence lines themselves count as inside. A block closes only on a fence of the same
    character, at least as long as the opening one, with nothing after it (CommonMark).
    """

    def __init__(self) -> None:
        self.fence: str | None = None

    @property
    def open(self) -> bool:
        """Whether the lines fed so far leave a fence unclosed."""
        return self.fence is not None

    def inside(self, line: str) -> bool:
        match = FENCE_RE.match(line)
        if self.fence is None:
            if match:
                self.fence = match.group(1)
                return True
            return False
        if match and self._closes(match.group(1), line):
            self.fence = None
        return True

    def _closes(self, marker: str, line: str) -> bool:
        rest = line.strip()[len(marker):]
        return marker[0] == self.fence[0] and len(marker) >= len(self.fence) and not rest.strip()


def outside_fences(lines: Iterable[str]) -> Iterator[str]:
    """The lines that are not part of a fenced code block."""
    tracker = FenceTracker()
    return (line for line in lines if not tracker.inside(line))
