"""Card files: parse the Markdown card format (see ``cards/README.md``) into :class:`Card`.

The parser is total: any text either parses or raises :class:`CardSyntaxError` naming
the file and line. Content checks beyond the structure live in :mod:`course.cards.lint`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from course.cards.markdown import TAG_RE, FenceTracker
from course.errors import CourseError

CARD_TYPES = ("basic", "reversed", "cloze")
TYPE_ALIASES = {"basic-and-reversed": "reversed", "basic-reversed": "reversed"}
META_KEYS = ("tags", "type", "lab")
DEFAULT_KEYS = ("lab", "tags")  # what a file may set for all its cards, between title and first card
SEPARATOR = "---"
CARD_HEADING = "## "
_META_RE = re.compile(r"^([A-Za-z_-]+):\s*(.*)$")
# A body line that looks like a card heading but is not one: '##id', ' ## id', '##' alone, or a
# heading of another level whose text is an id ('# f1-x', '### f1-x'). The parser reads it as body.
_HEADING_LIKE_RE = re.compile(r"^ {0,3}(?:##(?!#)|#{1,6}[ \t]+[a-z0-9]+(?:-[a-z0-9]+)+[ \t]*$)")

Meta = dict[str, tuple[str, int]]  # key -> (value, line number)
Numbered = list[tuple[int, str]]  # (line number, line)
Problems = list[tuple[int, str]]  # (line number, message): reported by lint, not raised


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


def parse_text(text: str, path: str | Path = "<text>", order_start: int = 0) -> list[Card]:
    """Parse one card file's text."""
    reader = _CardFileReader(text, path)
    deck = reader.title()
    defaults = reader.defaults()
    cards: list[Card] = []
    while not reader.done():
        cards.append(reader.card(deck, defaults, order_start + len(cards)))
    return cards


class _CardFileReader:
    """A cursor over one card file's lines; each method reads one part of the format and leaves
    the cursor on the first line after it. Line numbers in messages count from 1."""

    def __init__(self, text: str, path: str | Path):
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.path = path
        self.at = 0  # index of the next line to read

    def done(self) -> bool:
        return self.at >= len(self.lines)

    def error(self, index: int, message: str) -> CardSyntaxError:
        return CardSyntaxError(self.path, index + 1, message)

    def title(self) -> str:
        """``# Title`` after any blank lines: the file's deck."""
        while not self.done() and not self.lines[self.at].strip():
            self.at += 1
        if self.done():
            raise self.error(0, "empty card file (expected '# Title' then cards)")
        line = self.lines[self.at]
        if not line.startswith("# ") or not line[2:].strip():
            raise self.error(self.at, "a card file starts with '# Title' (the subdeck name)")
        self.at += 1
        return line[2:].strip()

    def defaults(self) -> Meta:
        """The ``lab:``/``tags:`` lines between the title and the first card."""
        defaults: Meta = {}
        while not self.done() and not self.lines[self.at].startswith(CARD_HEADING):
            line = self.lines[self.at].strip()
            if line:
                match = _META_RE.match(line)
                if not match or match.group(1) not in DEFAULT_KEYS:
                    raise self.error(self.at, "before the first card only 'lab:' and 'tags:' lines may appear "
                                              "(a card starts with '## id')")
                defaults[match.group(1)] = (match.group(2).strip(), self.at + 1)
            self.at += 1
        return defaults

    def card(self, deck: str, defaults: Meta, order: int) -> Card:
        """One card, from its ``## id`` heading to the next card's heading."""
        card_line = self.at + 1
        card_id = self.lines[self.at][len(CARD_HEADING):].strip()
        self.at += 1
        meta, problems = self.meta()
        body, body_problems = self.body(card_line)
        problems += body_problems
        front, back, front_line, back_line, extra_separators = _split_sides(body)
        problems += [(extra, f"second '{SEPARATOR}' separator in one card (a card has only one: "
                             "is a '## id' heading missing above it?)") for extra in extra_separators]
        raw_tags = _raw_tags(defaults, meta)
        card_type = _card_type(meta, problems)
        lab_value = (meta.get("lab") or defaults.get("lab") or ("", 0))[0]
        return Card(
            id=card_id,
            deck=deck,
            front=front,
            back=back,
            type=card_type,
            lab=None if lab_value in ("", "none") else lab_value,
            tags=_valid_tags(raw_tags),
            path=str(self.path),
            line=card_line,
            front_line=front_line or card_line,
            back_line=back_line or card_line,
            raw_tags=raw_tags,
            meta_problems=problems,
            order=order,
        )

    def meta(self) -> tuple[Meta, Problems]:
        """The ``key: value`` lines right under a heading, up to a blank or any other line."""
        meta: Meta = {}
        problems: Problems = []
        while not self.done() and self.lines[self.at].strip():
            match = _META_RE.match(self.lines[self.at].strip())
            if not match or match.group(1) not in META_KEYS:
                break
            if match.group(1) in meta:
                problems.append((self.at + 1, f"'{match.group(1)}:' given twice"))
            meta[match.group(1)] = (match.group(2).strip(), self.at + 1)
            self.at += 1
        return meta, problems

    def body(self, card_line: int) -> tuple[Numbered, Problems]:
        """The lines up to the next card heading outside a code fence, or the end of the file."""
        body: Numbered = []
        problems: Problems = []
        fences = FenceTracker()
        opened = card_line  # where the fence that is still open began
        while not self.done():
            line = self.lines[self.at]
            was_open = fences.open
            fenced = fences.inside(line)
            if not fenced and line.startswith(CARD_HEADING):
                break
            if fences.open and not was_open:
                opened = self.at + 1
            if not fenced and _HEADING_LIKE_RE.match(line):
                problems.append((self.at + 1, f"'{line.strip()}' looks like a card heading but is not one "
                                              "(a card starts with '## id' at the start of a line)"))
            body.append((self.at + 1, line))
            self.at += 1
        if fences.open:
            problems.append((opened, "code fence is never closed (it would swallow the cards after it)"))
        return body, problems


def _raw_tags(defaults: Meta, meta: Meta) -> list[tuple[str, int]]:
    """Every ``tags:`` token of the file defaults and the card, with its line, for lint."""
    return [tag for source in (defaults.get("tags"), meta.get("tags")) if source for tag in split_tags(*source)]


def _valid_tags(raw_tags: list[tuple[str, int]]) -> list[str]:
    """The well-formed hashtags, first occurrence only (lint reports the others)."""
    return list(dict.fromkeys(tok for tok, _ in raw_tags if TAG_RE.match(tok)))


def _card_type(meta: Meta, problems: Problems) -> str:
    card_type = (meta.get("type") or ("basic", 0))[0].lower()
    card_type = TYPE_ALIASES.get(card_type, card_type)
    if card_type not in CARD_TYPES:
        problems.append((meta["type"][1], f"unknown card type '{card_type}' (use {', '.join(CARD_TYPES)})"))
    return card_type


def _split_sides(body: Numbered) -> tuple[str, str, int, int, list[int]]:
    """Front, back, their first lines, and the lines of any separator after the first."""
    fences = FenceTracker()
    separators = [i for i, (_, line) in enumerate(body) if not fences.inside(line) and line.strip() == SEPARATOR]
    split_at = separators[0] if separators else len(body)
    front, front_line = _side(body[:split_at])
    back, back_line = _side(body[split_at + 1 :])
    return front, back, front_line, back_line, [body[i][0] for i in separators[1:]]


def _side(part: Numbered) -> tuple[str, int]:
    """A side's text and the number of its first non-blank line (0 when it has none)."""
    text = "\n".join(line for _, line in part).strip("\n")
    first = next((n for n, line in part if line.strip()), 0)
    return text.strip(), first


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
