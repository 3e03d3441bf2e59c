"""The lab manifest: course order in ``labs/manifest.toml``, each lab's titles, tasks,
points and time limits in ``labs/<slug>/lab.toml``::

    # labs/manifest.toml
    order = ["f1", "rope"]

    # labs/f1/lab.toml
    title = "Precision, recall and F1"
    summary = "One line for the lab list."
    time_limit = 60        # seconds for a whole check
    test_timeout = 20      # wall-clock seconds for one test
    [[task]]
    number = 1
    title = "Confusion counts"
    points = 10
    cards = ["f1-confusion-axes"]   # the cards that teach what the task tests (ids of this lab's cards)

Every lab folder ``labs/<slug>/`` has the same files: ``README.md`` (the lesson),
``<slug>.py`` (the reference solution with solution markers), ``test_<slug>.py`` (graded
tests, hidden ones between hidden-test markers), ``hints.md`` and ``bugs/`` (planted-bug
variants used by the project's own tests).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from course.errors import CourseError


@dataclass(frozen=True)
class Task:
    number: int
    title: str
    points: float
    cards: tuple[str, ...] = ()  # ids of the cards that teach what the task tests
    line: int = 0  # of its ``[[task]]`` header in lab.toml
    card_lines: tuple[int, ...] = ()  # of each id in ``cards``, for lint messages


@dataclass(frozen=True)
class Lab:
    slug: str
    title: str
    directory: Path
    tasks: tuple[Task, ...]
    time_limit: float = 120.0
    test_timeout: float = 30.0
    order: int = 0
    summary: str = ""

    @property
    def solution_file(self) -> Path:
        return self.directory / f"{self.slug}.py"

    @property
    def test_file(self) -> Path:
        return self.directory / f"test_{self.slug}.py"

    @property
    def lesson_file(self) -> Path:
        return self.directory / "README.md"

    @property
    def hints_file(self) -> Path:
        return self.directory / "hints.md"

    @property
    def bugs_dir(self) -> Path:
        return self.directory / "bugs"

    @property
    def max_points(self) -> float:
        return sum(t.points for t in self.tasks)

    def task(self, number: int) -> Task:
        for t in self.tasks:
            if t.number == number:
                return t
        raise CourseError(f"lab {self.slug}: no task {number} (tasks: {', '.join(str(t.number) for t in self.tasks)})")


EDITION_MARK = "STUDENT_EDITION"  # in labs/: this course ships stubs, not solutions


@dataclass
class Manifest:
    path: Path
    labs: list[Lab] = field(default_factory=list)

    @property
    def student_edition(self) -> bool:
        """A student edition (``course release``): stubs where the solutions were."""
        return (self.path.parent / EDITION_MARK).is_file()

    def get(self, slug: str) -> Lab:
        for lab in self.labs:
            if lab.slug == slug:
                return lab
        known = ", ".join(lab.slug for lab in self.labs) or "none"
        raise CourseError(f"unknown lab '{slug}' (labs: {known})")

    @property
    def slugs(self) -> list[str]:
        return [lab.slug for lab in self.labs]


def _load_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CourseError(f"{path}: {exc}") from None


def _task_lines(text: str) -> list[tuple[int, list[str]]]:
    """Each ``[[task]]`` block of a lab.toml: its header's line and its lines (for line numbers)."""
    blocks: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.replace(" ", "") == "[[task]]":
            blocks.append((number, []))
        elif stripped.startswith("["):
            blocks.append((0, []))  # another table: what follows is no task's
        if blocks:
            blocks[-1][1].append(line)
    return [b for b in blocks if b[0]]


def _task(entry: dict, block: tuple[int, list[str]] | None, lab_file: Path) -> Task:
    cards = entry.get("cards", [])
    line, lines = block if block else (0, [])
    if not isinstance(cards, list) or not all(isinstance(c, str) for c in cards):
        raise CourseError(f"{lab_file}:{line}: task {entry.get('number')}: 'cards' must be a list of card ids")

    def line_of(card_id: str) -> int:
        for offset, text in enumerate(lines):
            if f'"{card_id}"' in text or f"'{card_id}'" in text:
                return line + offset
        return line

    return Task(int(entry["number"]), str(entry["title"]), float(entry["points"]), tuple(cards), line,
                tuple(line_of(c) for c in cards))


def load_manifest(root: Path) -> Manifest:
    """Read ``root/labs/manifest.toml`` and each listed ``labs/<slug>/lab.toml``.

    A course without labs has an empty manifest.
    """
    path = root / "labs" / "manifest.toml"
    if not path.is_file():
        return Manifest(path)
    order = _load_toml(path).get("order", [])
    if not isinstance(order, list) or not all(isinstance(s, str) for s in order):
        raise CourseError(f"{path}: 'order' must be a list of lab slugs")
    manifest = Manifest(path)
    seen: set[str] = set()
    for number, slug in enumerate(order, start=1):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", slug):
            raise CourseError(f"{path}: lab slug '{slug}' must be a lowercase Python module name")
        if slug in seen:
            raise CourseError(f"{path}: lab '{slug}' is listed twice")
        seen.add(slug)
        lab_file = path.parent / slug / "lab.toml"
        if not lab_file.is_file():
            raise CourseError(f"{path}: lab '{slug}' has no {lab_file.relative_to(root)}")
        entry = _load_toml(lab_file)
        blocks = _task_lines(lab_file.read_text(encoding="utf-8"))
        try:
            raw_tasks = entry.get("task", [])
            tasks = tuple(
                _task(t, blocks[i] if i < len(blocks) else None, lab_file) for i, t in enumerate(raw_tasks)
            )
            lab = Lab(
                slug=slug,
                title=str(entry["title"]),
                directory=lab_file.parent,
                tasks=tasks,
                time_limit=float(entry.get("time_limit", 120)),
                test_timeout=float(entry.get("test_timeout", 30)),
                order=number,
                summary=str(entry.get("summary", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CourseError(f"{lab_file}: missing or bad field {exc}") from None
        manifest.labs.append(lab)
    return manifest
