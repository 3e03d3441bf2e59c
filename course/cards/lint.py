"""``course cards lint``: structural errors and minimum-information warnings.

Errors make the collection unfit to export; warnings point at cards that break the
minimum information principle (one fact per card, short answers, no near-duplicates).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from course.cards.markdown import TAG_RE, outside_fences
from course.cards.pairing import is_reserved_tag, task_card_problems
from course.cards.parse import Card

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLOZE_OPEN_RE = re.compile(r"\{\{c(\d+)::")
CLOZE_NUMBER_RE = re.compile(r"\{\{c([1-9]\d*)::")
IMAGE_RE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
MAX_BACK_WORDS = 80
MAX_LIST_ITEMS = 6
NEAR_DUPLICATE = 0.9


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    message: str
    error: bool

    def __str__(self) -> str:
        kind = "error" if self.error else "warning"
        return f"{self.path}:{self.line}: {kind}: {self.message}"


@dataclass(frozen=True)
class Course:
    """What the card rules check against: the content root (for images) and the lab slugs
    (``None``: any lab is accepted)."""

    root: Path
    labs: set[str] | None


Rule = Callable[[list[Card], Course], Iterable[Finding]]


def strip_code(text: str) -> str:
    """Text without fenced blocks and inline code, where math and cloze rules do not apply."""
    return re.sub(r"`[^`\n]*`", "", "\n".join(outside_fences(text.split("\n"))))


def math_balance_problem(text: str) -> str | None:
    """Return a message if ``$``/``$$`` delimiters do not pair up (escaped ``\\$`` ignored)."""
    prose = strip_code(text).replace("\\$", "")
    display = prose.count("$$")
    if display % 2:
        return "unbalanced '$$' (display math needs an opening and a closing '$$')"
    single = prose.replace("$$", "").count("$")
    if single % 2:
        return "unbalanced '$' (inline math needs an opening and a closing '$')"
    return None


def cloze_problems(text: str) -> list[str]:
    """Deletions whose intended content contains ``}}`` or ``::``."""
    problems = []
    for match in CLOZE_OPEN_RE.finditer(text):
        start = match.end()
        depth = 0
        i = start
        end = None
        while i < len(text):
            if text.startswith("}}", i) and depth == 0:
                end = i
                break
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
            i += 1
        first_close = text.find("}}", start)
        if first_close == -1:
            problems.append(f"cloze c{match.group(1)} is never closed with '}}}}'")
            continue
        if end is None or end != first_close:
            problems.append(f"cloze c{match.group(1)} contains '}}}}' (Anki ends the deletion there; write '}} }}')")
            continue
        if "::" in text[start:first_close]:
            problems.append(f"cloze c{match.group(1)} contains '::' (Anki reads a hint there)")
    return problems


def _error(card: Card, line: int, message: str) -> Finding:
    return Finding(card.path, line or card.line, message, True)


def _warning(card: Card, line: int, message: str) -> Finding:
    return Finding(card.path, line or card.line, message, False)


def _sides(card: Card) -> tuple[tuple[str, int], tuple[str, int]]:
    return (card.front, card.front_line), (card.back, card.back_line)


def each_card(check: Callable[[Card, Course], Iterable[Finding]]) -> Rule:
    """A rule from a check that looks at one card at a time."""

    def rule(cards: list[Card], course: Course) -> Iterator[Finding]:
        for card in cards:
            yield from check(card, course)

    rule.__name__ = check.__name__
    return rule


def ids(cards: list[Card], course: Course) -> Iterator[Finding]:
    """Every card has a well-formed id, unique in the course."""
    seen: dict[str, Card] = {}
    for card in cards:
        if not card.id:
            yield _error(card, card.line, "card without an id (write '## some-id')")
        elif not ID_RE.match(card.id):
            yield _error(card, card.line, f"bad id '{card.id}' (lowercase letters, digits and single dashes)")
        elif card.id in seen:
            first = seen[card.id]
            yield _error(card, card.line, f"duplicate id '{card.id}' (first at {first.path}:{first.line})")
        else:
            seen[card.id] = card


@each_card
def structure(card: Card, course: Course) -> Iterator[Finding]:
    """What the parser noticed: repeated metadata, unknown types, look-alike headings, a second
    separator, an unclosed fence."""
    for line, message in card.meta_problems:
        yield _error(card, line, message)


def tags(cards: list[Card], course: Course) -> Iterator[Finding]:
    """Tags are hashtags of the allowed characters, and one spelling per tag across the course."""
    spelling: dict[str, tuple[str, Card]] = {}  # lowercase tag -> its first spelling
    for card in cards:
        for tok, line in card.raw_tags:
            if not tok.startswith("#"):
                yield _error(card, line,
                             f"tag with spaces or without '#': '{tok}' (write '#{tok}' or join words with '-')")
            elif not TAG_RE.match(tok):
                yield _error(card, line, f"bad tag '{tok}' (letters, digits, '-', '_' and '/' only)")
            else:
                first = spelling.setdefault(tok.lower(), (tok, card))
                if first[0] != tok:
                    yield _error(card, line, f"tag '{tok}' differs only in case from '{first[0]}' "
                                             f"({first[1].path}:{first[1].line})")


@each_card
def known_lab(card: Card, course: Course) -> Iterator[Finding]:
    if card.lab and course.labs is not None and card.lab not in course.labs:
        yield _error(card, card.line, f"unknown lab '{card.lab}' (labs: {', '.join(sorted(course.labs)) or 'none'})")


@each_card
def nonempty_sides(card: Card, course: Course) -> Iterator[Finding]:
    if not card.front:
        yield _error(card, card.line, "empty front")
    if card.type != "cloze" and not card.back:
        yield _error(card, card.line, "empty back (write the answer after a '---' line)")


@each_card
def math_balance(card: Card, course: Course) -> Iterator[Finding]:
    for text, line in _sides(card):
        problem = math_balance_problem(text)
        if problem:
            yield _error(card, line, problem)


@each_card
def images(card: Card, course: Course) -> Iterator[Finding]:
    """Images are local files under ``cards/``: the deck must work offline."""
    for text, line in _sides(card):
        for target in IMAGE_RE.findall(text):
            if "://" in target:
                yield _error(card, line, f"remote image '{target}' (cards must work offline: put it in cards/images/)")
            elif not (course.root / "cards" / target).is_file():
                yield _error(card, line, f"missing image file cards/{target}")


@each_card
def cloze(card: Card, course: Course) -> Iterator[Finding]:
    """Deletions only in a cloze card's front, numbered from c1, and written so Anki reads them whole."""
    if card.type != "cloze":
        if CLOZE_OPEN_RE.search(card.front + card.back):
            yield _error(card, card.front_line, "cloze deletion in a non-cloze card (add 'type: cloze')")
        return
    if not CLOZE_OPEN_RE.search(card.front):
        yield _error(card, card.front_line, "cloze card without a deletion like {{c1::...}}")
    for problem in cloze_problems(card.front):
        yield _error(card, card.front_line, problem)
    for number in CLOZE_OPEN_RE.findall(card.front):
        if not CLOZE_NUMBER_RE.match("{{c" + number + "::"):
            yield _error(card, card.front_line, f"cloze c{number}: Anki numbers deletions from c1")
    if CLOZE_OPEN_RE.search(card.back):
        yield _error(card, card.back_line,
                     "cloze deletion after '---' (the extra is shown as is; put deletions before it)")


# The minimum information principle: warnings.

@each_card
def short_answer(card: Card, course: Course) -> Iterator[Finding]:
    words = len(strip_code(card.back).split())
    if words > MAX_BACK_WORDS:
        yield _warning(card, card.back_line,
                       f"answer has {words} words (> {MAX_BACK_WORDS}): split it into several cards")


@each_card
def short_list(card: Card, course: Course) -> Iterator[Finding]:
    items = sum(1 for line in strip_code(card.back).split("\n") if LIST_ITEM_RE.match(line))
    if items > MAX_LIST_ITEMS:
        yield _warning(card, card.back_line,
                       f"list of {items} items (> {MAX_LIST_ITEMS}): use cloze deletions or split the card")


@each_card
def one_question(card: Card, course: Course) -> Iterator[Finding]:
    """At most one '?' outside code and inline math (a cloze front asks nothing)."""
    if card.type != "cloze" and re.sub(r"\$[^$]*\$", "", strip_code(card.front)).count("?") > 1:
        yield _warning(card, card.front_line, "two questions in one front: ask one thing per card")


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text.lower()).split())


def distinct_fronts(cards: list[Card], course: Course) -> Iterator[Finding]:
    """No two fronts nearly the same (the cheap upper bounds first: this rule is quadratic)."""
    fronts = [(c, _normal(c.front)) for c in cards if c.front]
    for i, (a, fa) in enumerate(fronts):
        for b, fb in fronts[i + 1 :]:
            matcher = difflib.SequenceMatcher(None, fa, fb, autojunk=False)
            if matcher.real_quick_ratio() < NEAR_DUPLICATE or matcher.quick_ratio() < NEAR_DUPLICATE:
                continue
            if matcher.ratio() >= NEAR_DUPLICATE:
                message = f"front nearly duplicates '{a.id}' ({a.path}:{a.front_line})"
                yield Finding(b.path, b.front_line, message, False)


ERROR_RULES: tuple[Rule, ...] = (ids, structure, tags, known_lab, nonempty_sides, math_balance, images, cloze)
WARNING_RULES: tuple[Rule, ...] = (short_answer, short_list, one_question, distinct_fronts)


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.path, f.line, f.message))


def lint_cards(cards: list[Card], root: Path, labs: set[str] | None, *, warnings: bool = True) -> list[Finding]:
    """Run the card rules (the warning rules too when ``warnings``), findings in file order."""
    course = Course(root, labs)
    rules = ERROR_RULES + (WARNING_RULES if warnings else ())
    return _sorted(finding for rule in rules for finding in rule(cards, course))


def lesson_card_ids(lesson: Path) -> tuple[list[tuple[str, int]], bool]:
    """Card ids listed in a lesson's ``## Cards`` section, with line numbers."""
    ids, in_section, found = [], False, False
    for number, line in enumerate(lesson.read_text(encoding="utf-8").split("\n"), start=1):
        if line.startswith("## "):
            in_section = line[3:].strip().lower() == "cards"
            found |= in_section
            continue
        if in_section and re.match(r"^\s*[-*]\s", line):
            ids += [(m, number) for m in re.findall(r"`([^`]+)`", line)]
    return ids, found


def lint_pairing(cards: list[Card], labs, root: Path) -> list[Finding]:
    """Every card with ``lab: X`` is listed in lab X's lesson, and every listed id exists there."""
    by_id = {c.id: c for c in cards}
    return [finding for lab in labs if lab.lesson_file.is_file()
            for finding in _lesson_pairing(lab, cards, by_id, root)]


def _lesson_pairing(lab, cards: list[Card], by_id: dict[str, Card], root: Path) -> Iterator[Finding]:
    lesson = lab.lesson_file
    rel = lesson.relative_to(root) if lesson.is_relative_to(root) else lesson
    listed, has_section = lesson_card_ids(lesson)
    listed_ids = {i for i, _ in listed}
    if not has_section:
        yield Finding(str(rel), 1, "lesson has no '## Cards' section listing its paired cards", True)
    for card_id, line in listed:
        card = by_id.get(card_id)
        if card is None:
            yield Finding(str(rel), line, f"lists card '{card_id}', which does not exist", True)
        elif card.lab != lab.slug:
            yield Finding(str(rel), line, f"lists card '{card_id}', which pairs with lab '{card.lab}'", True)
    for card in cards:
        if card.lab == lab.slug and card.id not in listed_ids and has_section:
            yield Finding(card.path, card.line, f"card pairs with lab '{lab.slug}' but {rel} does not list it", True)


def lint_task_cards(cards: list[Card], labs, root: Path) -> list[Finding]:
    """Every lab task names at least one card of its lab, and no card uses the task tags' tree."""
    by_id = {c.id: c for c in cards}
    findings = [Finding(path, line, message, True)
                for lab in labs for path, line, message in task_card_problems(lab, by_id, root)]
    for card in cards:
        for tok, line in card.raw_tags:
            if is_reserved_tag(tok):
                findings.append(Finding(card.path, line, f"tag '{tok}' is reserved: the export adds the task tags "
                                                         "under it from each lab's lab.toml", True))
    return findings


def lint_course(cards: list[Card], root: Path, manifest, *, warnings: bool = True) -> list[Finding]:
    """All findings for a course: card content plus lab pairing. ``cards lint`` and ``export`` both
    count errors from this one list."""
    return _sorted(lint_cards(cards, root, set(manifest.slugs), warnings=warnings)
                   + lint_pairing(cards, manifest.labs, root) + lint_task_cards(cards, manifest.labs, root))
