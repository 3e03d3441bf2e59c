"""``course cards import``: turn other flashcard layouts into the card format.

Two inputs are recognised:
* a Quizlet-style export: one card per line, ``term<TAB>definition``;
* a hashtag study set: a title line, then paragraphs alternating question and answer,
  where a question may start with hashtags (``#sop #layers What is ...?``).
"""

from __future__ import annotations

import re

from course.errors import CourseError

_HASHTAG_RE = re.compile(r"^#([A-Za-z0-9][A-Za-z0-9_/-]*)[.,;:]?$")
_WORD_RE = re.compile(r"[a-z0-9]+")


def _slug(text: str, taken: set[str]) -> str:
    words = [w for w in _WORD_RE.findall(text.lower()) if w not in {"a", "an", "the", "of", "to", "is", "what", "you"}]
    base = "-".join(words[:6]) or "card"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _escape(text: str) -> str:
    """Keep imported prose literal: dollars are not math, braces are not cloze."""
    return text.replace("$", "\\$").replace("{{", "{ {")


def _split_hashtags(line: str) -> tuple[list[str], str]:
    tags, words = [], line.split()
    while words and _HASHTAG_RE.match(words[0]):
        tags.append(_HASHTAG_RE.match(words[0]).group(1).lower())
        words.pop(0)
    return tags, " ".join(words)


def _pairs_from_tsv(text: str, source: str) -> list[tuple[list[str], str, str]]:
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "\t" not in line:
            raise CourseError(f"{source}:{number}: expected 'term<TAB>definition'")
        term, definition = line.split("\t", 1)
        if not term.strip() or not definition.strip():
            raise CourseError(f"{source}:{number}: empty term or definition")
        tags, term = _split_hashtags(term.strip())
        pairs.append((tags, term, definition.strip()))
    return pairs


def _pairs_from_study_set(text: str, source: str) -> tuple[str, list[tuple[list[str], str, str]]]:
    lines = [ln for ln in text.splitlines() if not ln.startswith("# ")]  # comment lines
    paragraphs: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            paragraphs.append((start, " ".join(current)))
            current = []
    if current:
        paragraphs.append((start, " ".join(current)))
    if not paragraphs:
        raise CourseError(f"{source}:1: no cards found")
    title = paragraphs[0][1]
    body = paragraphs[1:]
    if title.startswith("#"):  # no title line
        title, body = "Imported cards", paragraphs
    if len(body) % 2:
        raise CourseError(f"{source}:{body[-1][0]}: question without an answer (questions and answers alternate)")
    pairs = []
    for (q_line, question), (_, answer) in zip(body[::2], body[1::2]):
        tags, question = _split_hashtags(question)
        if not question:
            raise CourseError(f"{source}:{q_line}: question line holds only hashtags")
        pairs.append((tags, question, answer))
    return title, pairs


def convert(text: str, source: str, *, title: str | None = None, lab: str | None = None) -> tuple[str, int]:
    """Return (card-file Markdown, number of cards)."""
    if any("\t" in ln for ln in text.splitlines()):
        pairs, found_title = _pairs_from_tsv(text, source), "Imported cards"
    else:
        found_title, pairs = _pairs_from_study_set(text, source)
    taken: set[str] = set()
    out = [f"# {title or found_title}", ""]
    if lab:
        out += [f"lab: {lab}", ""]
    for tags, question, answer in pairs:
        out.append(f"## {_slug(question, taken)}")
        if tags:
            out.append("tags: " + " ".join(f"#{t}" for t in tags))
        out += ["", _escape(question), "", "---", "", _escape(answer), ""]
    return "\n".join(out), len(pairs)
