"""``course cards lint``: structural errors and minimum-information warnings.

Errors make the collection unfit to export; warnings point at cards that break the
minimum information principle (one fact per card, short answers, no near-duplicates).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from course.cards.parse import _TAG_RE, Card, _fence_tracker

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLOZE_OPEN_RE = re.compile(r"\{\{c(\d+)::")
CLOZE_NUMBER_RE = re.compile(r"\{\{c([1-9]\d*)::")
IMAGE_RE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
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


def strip_code(text: str) -> str:
    """Text without fenced blocks and inline code, where math and cloze rules do not apply."""
    inside = _fence_tracker()
    kept = [line for line in text.split("\n") if not inside(line)]
    return re.sub(r"`[^`\n]*`", "", "\n".join(kept))


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


def lint_cards(cards: list[Card], root: Path, labs: set[str] | None, *, warnings: bool = True) -> list[Finding]:
    findings: list[Finding] = []

    def err(card: Card, line: int, msg: str) -> None:
        findings.append(Finding(card.path, line or card.line, msg, True))

    def warn(card: Card, line: int, msg: str) -> None:
        if warnings:
            findings.append(Finding(card.path, line or card.line, msg, False))

    seen: dict[str, Card] = {}
    tag_case: dict[str, tuple[str, Card]] = {}
    for card in cards:
        if not card.id:
            err(card, card.line, "card without an id (write '## some-id')")
        elif not ID_RE.match(card.id):
            err(card, card.line, f"bad id '{card.id}' (lowercase letters, digits and single dashes)")
        elif card.id in seen:
            first = seen[card.id]
            err(card, card.line, f"duplicate id '{card.id}' (first at {first.path}:{first.line})")
        else:
            seen[card.id] = card
        for line, msg in card.meta_problems:
            err(card, line, msg)
        for i, (tok, line) in enumerate(card.raw_tags):
            if not tok.startswith("#"):
                err(card, line, f"tag with spaces or without '#': '{tok}' (write '#{tok}' or join words with '-')")
            elif not _TAG_RE.match(tok):
                err(card, line, f"bad tag '{tok}' (letters, digits, '-', '_' and '/' only)")
            else:
                lower = tok.lower()
                other = tag_case.get(lower)
                if other and other[0] != tok:
                    err(card, line, f"tag '{tok}' differs only in case from '{other[0]}' ({other[1].path}:{other[1].line})")
                tag_case.setdefault(lower, (tok, card))
        if card.lab and labs is not None and card.lab not in labs:
            err(card, card.line, f"unknown lab '{card.lab}' (labs: {', '.join(sorted(labs)) or 'none'})")
        if not card.front:
            err(card, card.line, "empty front")
        if card.type != "cloze" and not card.back:
            err(card, card.line, "empty back (write the answer after a '---' line)")
        for text, line in ((card.front, card.front_line), (card.back, card.back_line)):
            problem = math_balance_problem(text)
            if problem:
                err(card, line, problem)
            for target in IMAGE_RE.findall(text):
                if "://" in target:
                    err(card, line, f"remote image '{target}' (cards must work offline: put it in cards/images/)")
                elif not (root / "cards" / target).is_file():
                    err(card, line, f"missing image file cards/{target}")
        prose_front = strip_code(card.front)
        if card.type == "cloze":
            if not CLOZE_OPEN_RE.search(card.front):
                err(card, card.front_line, "cloze card without a deletion like {{c1::...}}")
            for problem in cloze_problems(card.front):
                err(card, card.front_line, problem)
            for number in CLOZE_OPEN_RE.findall(card.front):
                if not CLOZE_NUMBER_RE.match("{{c" + number + "::"):
                    err(card, card.front_line, f"cloze c{number}: Anki numbers deletions from c1")
            if CLOZE_OPEN_RE.search(card.back):
                err(card, card.back_line, "cloze deletion after '---' (the extra is shown as is; put deletions before it)")
        elif CLOZE_OPEN_RE.search(card.front + card.back):
            err(card, card.front_line, "cloze deletion in a non-cloze card (add 'type: cloze')")
        # Minimum information principle.
        back_words = len(strip_code(card.back).split())
        if back_words > MAX_BACK_WORDS:
            warn(card, card.back_line, f"answer has {back_words} words (> {MAX_BACK_WORDS}): split it into several cards")
        items = sum(1 for ln in strip_code(card.back).split("\n") if re.match(r"^\s*(?:[-*+]|\d+[.)])\s", ln))
        if items > MAX_LIST_ITEMS:
            warn(card, card.back_line, f"list of {items} items (> {MAX_LIST_ITEMS}): use cloze deletions or split the card")
        if card.type != "cloze" and re.sub(r"\$[^$]*\$", "", prose_front).count("?") > 1:
            warn(card, card.front_line, "two questions in one front: ask one thing per card")
    if warnings:
        _near_duplicates(cards, findings)
    return sorted(findings, key=lambda f: (f.path, f.line, f.message))


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text.lower()).split())


def _near_duplicates(cards: list[Card], findings: list[Finding]) -> None:
    fronts = [(c, _normal(c.front)) for c in cards if c.front]
    for i, (a, fa) in enumerate(fronts):
        for b, fb in fronts[i + 1 :]:
            matcher = difflib.SequenceMatcher(None, fa, fb, autojunk=False)
            if matcher.real_quick_ratio() < NEAR_DUPLICATE or matcher.quick_ratio() < NEAR_DUPLICATE:
                continue
            if matcher.ratio() >= NEAR_DUPLICATE:
                findings.append(
                    Finding(b.path, b.front_line, f"front nearly duplicates '{a.id}' ({a.path}:{a.front_line})", False)
                )


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
    findings = []
    by_id = {c.id: c for c in cards}
    for lab in labs:
        lesson = lab.lesson_file
        if not lesson.is_file():
            continue
        rel = lesson.relative_to(root) if lesson.is_relative_to(root) else lesson
        listed, has_section = lesson_card_ids(lesson)
        listed_ids = {i for i, _ in listed}
        if not has_section:
            findings.append(Finding(str(rel), 1, "lesson has no '## Cards' section listing its paired cards", True))
        for card_id, line in listed:
            card = by_id.get(card_id)
            if card is None:
                findings.append(Finding(str(rel), line, f"lists card '{card_id}', which does not exist", True))
            elif card.lab != lab.slug:
                findings.append(Finding(str(rel), line, f"lists card '{card_id}', which pairs with lab '{card.lab}'", True))
        for card in cards:
            if card.lab == lab.slug and card.id not in listed_ids and has_section:
                findings.append(Finding(card.path, card.line, f"card pairs with lab '{lab.slug}' but {rel} does not list it", True))
    return findings


def lint_task_cards(cards: list[Card], labs, root: Path) -> list[Finding]:
    """Every lab task names at least one card of its lab, and no card uses the task tags' tree."""
    from course.cards.pairing import is_reserved_tag, task_card_problems

    by_id = {c.id: c for c in cards}
    findings = [Finding(path, line, message, True) for lab in labs for path, line, message in task_card_problems(lab, by_id, root)]
    for card in cards:
        for tok, line in card.raw_tags:
            if is_reserved_tag(tok):
                findings.append(Finding(card.path, line, f"tag '{tok}' is reserved: the export adds the task tags "
                                                         "under it from each lab's lab.toml", True))
    return findings


def lint_course(cards: list[Card], root: Path, manifest, *, warnings: bool = True) -> list[Finding]:
    """All findings for a course: card content plus lab pairing. ``cards lint`` and ``export`` both
    count errors from this one list."""
    findings = (lint_cards(cards, root, set(manifest.slugs), warnings=warnings) + lint_pairing(cards, manifest.labs, root)
                + lint_task_cards(cards, manifest.labs, root))
    return sorted(findings, key=lambda f: (f.path, f.line, f.message))
