"""Card files: parse the Markdown card format (see ``cards/README.md``) into :class:`Card`.

The parser is total: any text either parses or raises :class:`CardSyntaxError` naming
the file and line. Content checks beyond the structure live in :mod:`course.cards.lint`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from course.errors import CourseError

CARD_TYPES = ("basic", "reversed", "cloze")
TYPE_ALIASES = {"basic-and-reversed": "reversed", "basic-reversed": "reversed"}
META_KEYS = ("tags", "type", "lab")
SEPARATOR = "---"
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_META_RE = re.compile(r"^([A-Za-z_-]+):\s*(.*)$")
_TAG_RE = re.compile(r"^#[A-Za-z0-9][A-Za-z0-9_/-]*$")
# A body line that looks like a card heading but is not one: '##id', ' ## id', '##' alone, or a
# heading of another level whose text is an id ('# f1-x', '### f1-x'). The parser reads it as body.
_HEADING_LIKE_RE = re.compile(r"^ {0,3}(?:##(?!#)|#{1,6}[ \t]+[a-z0-9]+(?:-[a-z0-9]+)+[ \t]*$)")


class CardSyntaxError(CourseError):
    def __init__(self, path: Path | str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = str(path), line, message


@dataclass
class Card:
    id: str
    deck: str
    front: str
    back: str
    type: str = "basic"
    lab: str | None = None
    tags: list[str] = field(default_factory=list)
    path: str = ""
    line: int = 0
    front_line: int = 0
    back_line: int = 0
    raw_tags: list[tuple[str, int]] = field(default_factory=list)  # (token, line) for lint
    meta_problems: list[tuple[int, str]] = field(default_factory=list)
    order: int = 0

    @property
    def anki_tags(self) -> list[str]:
        """Hashtags as Anki tags: ``#monitoring/drift`` becomes ``monitoring::drift``."""
        return [t.lstrip("#").replace("/", "::") for t in self.tags]

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "deck": self.deck,
            "type": self.type,
            "lab": self.lab,
            "tags": self.tags,
            "front": self.front,
            "back": self.back,
            "file": self.path,
            "line": self.line,
        }


def split_tags(text: str, line: int) -> list[tuple[str, int]]:
    return [(tok, line) for tok in text.split()]


def state_open(tracker) -> bool:
    """Whether a fence tracker is inside an unclosed fence."""
    return tracker.state["fence"] is not None


def _fence_tracker():
    """Return a function line -> bool telling whether the line is inside a fenced block."""
    state = {"fence": None}

    def inside(line: str) -> bool:
        match = _FENCE_RE.match(line)
        if state["fence"] is None:
            if match:
                state["fence"] = match.group(1)
                return True
            return False
        if match and match.group(1)[0] == state["fence"][0] and len(match.group(1)) >= len(state["fence"]) and not line.strip()[len(match.group(1)):].strip():
            state["fence"] = None
        return True

    inside.state = state
    return inside


def parse_text(text: str, path: str | Path = "<text>", order_start: int = 0) -> list[Card]:
    """Parse one card file's text."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    number = 0
    while number < len(lines) and not lines[number].strip():
        number += 1
    if number >= len(lines):
        raise CardSyntaxError(path, 1, "empty card file (expected '# Title' then cards)")
    title_line = lines[number]
    if not title_line.startswith("# ") or not title_line[2:].strip():
        raise CardSyntaxError(path, number + 1, "a card file starts with '# Title' (the subdeck name)")
    deck = title_line[2:].strip()
    number += 1
    defaults: dict[str, tuple[str, int]] = {}
    # File defaults: key: value lines before the first card.
    while number < len(lines) and not lines[number].startswith("## "):
        line = lines[number]
        if line.strip():
            match = _META_RE.match(line.strip())
            if not match or match.group(1) not in ("lab", "tags"):
                raise CardSyntaxError(
                    path, number + 1, "before the first card only 'lab:' and 'tags:' lines may appear (a card starts with '## id')"
                )
            defaults[match.group(1)] = (match.group(2).strip(), number + 1)
        number += 1
    cards: list[Card] = []
    inside = _fence_tracker()
    while number < len(lines):
        heading = lines[number]
        card_line = number + 1
        card_id = heading[3:].strip()
        number += 1
        meta: dict[str, tuple[str, int]] = {}
        problems: list[tuple[int, str]] = []
        while number < len(lines) and lines[number].strip():
            match = _META_RE.match(lines[number].strip())
            if not match or match.group(1) not in META_KEYS:
                break
            if match.group(1) in meta:
                problems.append((number + 1, f"'{match.group(1)}:' given twice"))
            meta[match.group(1)] = (match.group(2).strip(), number + 1)
            number += 1
        body: list[tuple[int, str]] = []
        while number < len(lines):
            line = lines[number]
            fenced = inside(line)
            if not fenced and line.startswith("## "):
                break
            if not fenced and _HEADING_LIKE_RE.match(line):
                problems.append((number + 1, f"'{line.strip()}' looks like a card heading but is not one "
                                             "(a card starts with '## id' at the start of a line)"))
            body.append((number + 1, line))
            number += 1
        if state_open(inside):
            replay, opened = _fence_tracker(), card_line
            for n, line in body:
                was_open = state_open(replay)
                replay(line)
                if not was_open and state_open(replay):
                    opened = n
            problems.append((opened, "code fence is never closed (it would swallow the cards after it)"))
        inside = _fence_tracker()
        front, back, front_line, back_line, extra_separators = _split_sides(body)
        for extra in extra_separators:
            problems.append((extra, f"second '{SEPARATOR}' separator in one card (a card has only one: "
                                    "is a '## id' heading missing above it?)"))
        raw_tags = []
        for source in (defaults.get("tags"), meta.get("tags")):
            if source:
                raw_tags += split_tags(source[0], source[1])
        tags = []
        for tok, _ in raw_tags:
            if _TAG_RE.match(tok) and tok not in tags:
                tags.append(tok)
        lab_value = (meta.get("lab") or defaults.get("lab") or ("", 0))[0]
        card_type = (meta.get("type") or ("basic", 0))[0].lower()
        card_type = TYPE_ALIASES.get(card_type, card_type)
        if card_type not in CARD_TYPES:
            problems.append((meta["type"][1], f"unknown card type '{card_type}' (use {', '.join(CARD_TYPES)})"))
        cards.append(
            Card(
                id=card_id,
                deck=deck,
                front=front,
                back=back,
                type=card_type,
                lab=None if lab_value in ("", "none") else lab_value,
                tags=tags,
                path=str(path),
                line=card_line,
                front_line=front_line or card_line,
                back_line=back_line or card_line,
                raw_tags=raw_tags,
                meta_problems=problems,
                order=order_start + len(cards),
            )
        )
    return cards


def _split_sides(body: list[tuple[int, str]]) -> tuple[str, str, int, int, list[int]]:
    """Front, back, their first lines, and the lines of any separator after the first."""
    inside = _fence_tracker()
    split_at = None
    extra: list[int] = []
    for i, (number, line) in enumerate(body):
        fenced = inside(line)
        if not fenced and line.strip() == SEPARATOR:
            if split_at is None:
                split_at = i
            else:
                extra.append(number)
    front_lines = body if split_at is None else body[:split_at]
    back_lines = [] if split_at is None else body[split_at + 1 :]

    def text_of(part):
        text = "\n".join(line for _, line in part).strip("\n")
        first = next((n for n, line in part if line.strip()), 0)
        return text.strip(), first

    front, front_line = text_of(front_lines)
    back, back_line = text_of(back_lines)
    return front, back, front_line, back_line, extra


def card_files(root: Path) -> list[Path]:
    """The card files of a course: ``cards/*.md`` except the format's README."""
    directory = root / "cards"
    return sorted(p for p in directory.glob("*.md") if p.name.lower() != "readme.md") if directory.is_dir() else []


def load_cards(root: Path, lab_order: list[str] | None = None) -> list[Card]:
    """All cards of a course, in course order: by the lab order of the manifest, then file."""
    cards: list[Card] = []
    for path in card_files(root):
        try:
            text = path.read_text(encoding="utf-8-sig")  # a BOM from a Windows editor is not content
        except UnicodeDecodeError as exc:
            raise CardSyntaxError(path, 1, f"not UTF-8 text ({exc.reason})") from None
        cards += parse_text(text, path.relative_to(root) if path.is_relative_to(root) else path, len(cards))
    if lab_order:
        rank = {slug: i for i, slug in enumerate(lab_order)}
        cards.sort(key=lambda c: (rank.get(Path(c.path).stem, len(rank)), c.order))
    for i, card in enumerate(cards):
        card.order = i
    return cards
