"""Card parser and lint: structure, errors with file:line, property-based totality."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.cards.lint import cloze_problems, lint_cards, math_balance_problem
from course.cards.parse import CardSyntaxError, parse_text

GOOD = """# Deck

lab: demo
tags: #base

## card-one
tags: #monitoring/drift #x

Question with `code`?

---

Answer with $x^2$ and

```python
## not a heading
---
```

## card-two
type: cloze

Sum is {{c1::5}}.
"""


def test_parse_structure():
    cards = parse_text(GOOD, "d.md")
    assert [c.id for c in cards] == ["card-one", "card-two"]
    one, two = cards
    assert one.deck == "Deck" and one.lab == "demo" and one.type == "basic"
    assert one.tags == ["#base", "#monitoring/drift", "#x"]
    assert one.anki_tags == ["base", "monitoring::drift", "x"]
    assert one.front == "Question with `code`?"
    assert "## not a heading\n---" in one.back  # fenced code is not structure
    assert two.type == "cloze" and two.back == "" and two.front == "Sum is {{c1::5}}."
    assert one.line == 6 and two.line == 20


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("", 1, "empty card file"),
        ("no title\n", 1, "starts with '# Title'"),
        ("# T\nsome prose\n## a\nq\n---\nb\n", 2, "before the first card"),
    ],
)
def test_syntax_errors_name_file_and_line(text, line, message):
    with pytest.raises(CardSyntaxError) as info:
        parse_text(text, "bad.md")
    assert str(info.value).startswith(f"bad.md:{line}: ") and message in str(info.value)


_PIECES = list("#-`$:{}\n ab1cé\r\t") + ["## ", "# T\n", "---", "```", "tags: ", "type: cloze", "lab: x",
                                        "{{c1::", "}}"]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=80).map("".join) | st.text(max_size=200))
def test_parser_is_total(text):
    """Any text parses or fails with the one clean error type; lint never crashes."""
    try:
        cards = parse_text(text, "fuzz.md")
    except CardSyntaxError as exc:
        assert str(exc).startswith("fuzz.md:")
        return
    lint_cards(cards, Path("/nonexistent"), {"demo"})


def _lint(text, tmp_path=Path("/nonexistent"), labs=frozenset({"demo"})):
    return lint_cards(parse_text(text, "c.md"), tmp_path, set(labs))


def _errors(text, **kw):
    return [str(f) for f in _lint(text, **kw) if f.error]


def test_lint_errors(tmp_path):
    text = """# D

## dup
tags: #Metrics

Q $x?

---

A

## dup
tags: #metrics spaced words
lab: nosuchlab

Q2

---

![img](images/missing.png)

## Bad_ID

Q3

---

## cz
type: cloze

{{c1::a[::2]}} and {{c2::$\\frac{1}{x^{2}}$}}

## noside

---

Back only
"""
    errs = "\n".join(_errors(text, tmp_path=tmp_path))
    assert "c.md:12: error: duplicate id 'dup' (first at c.md:3)" in errs
    assert "differs only in case from '#Metrics'" in errs
    assert "tag with spaces or without '#': 'spaced'" in errs
    assert "unknown lab 'nosuchlab'" in errs
    assert "unbalanced '$'" in errs
    assert "missing image file cards/images/missing.png" in errs
    assert "bad id 'Bad_ID'" in errs
    assert "empty back" in errs
    assert "cloze c1 contains '::'" in errs
    assert "cloze c2 contains '}}'" in errs
    assert "empty front" in errs


def test_lint_warnings():
    long_answer = " ".join(["word"] * 100)
    text = f"""# D

## a

What is A? And what is B?

---

{long_answer}

## b

What is the capital of France, in one word

---

Paris

## c

What is the capital of France, in one word!

---

Paris
"""
    findings = _lint(text)
    assert not [f for f in findings if f.error]
    warns = "\n".join(str(f) for f in findings)
    assert "two questions in one front" in warns
    assert "answer has 100 words" in warns
    assert "front nearly duplicates 'b'" in warns


def test_math_and_cloze_helpers():
    assert math_balance_problem("$a$ and $$b$$ and `$` and \\$5") is None
    assert "'$$'" in math_balance_problem("$$a$")
    assert cloze_problems("{{c1::$\\frac{1}{2} $}}") == []
    assert cloze_problems("{{c1::ok}} {{c2::x::hint}}") == ["cloze c2 contains '::' (Anki reads a hint there)"]


def test_basic_and_reversed_is_an_alias():
    cards = parse_text("# D\n\n## a\ntype: basic-and-reversed\n\nterm\n\n---\n\ndefinition\n", "d.md")
    assert cards[0].type == "reversed" and not cards[0].meta_problems


def test_unclosed_fence_is_an_error_not_a_silent_loss():
    text = "# D\n\n## a\n\nFront\n\n---\n\nback\n\n```python\nx = 1\n\n## b\n\nQ?\n\n---\n\nA\n"
    cards = parse_text(text, "f.md")
    errs = [str(f) for f in lint_cards(cards, Path("/nonexistent"), set()) if f.error]
    assert any("f.md:11: error: code fence is never closed" in e for e in errs), errs


def test_bom_cloze_numbering_and_deletions_in_extra(tmp_path):
    from course.cards.parse import load_cards

    (tmp_path / "cards").mkdir()
    text = "\ufeff# Deck\n\n## a\ntype: cloze\n\n{{c0::x}} y\n\n---\n\n{{c1::z}}\n"
    (tmp_path / "cards" / "bom.md").write_text(text, encoding="utf-8")
    cards = load_cards(tmp_path)
    assert cards[0].deck == "Deck"
    errs = " ".join(str(f) for f in lint_cards(cards, tmp_path, set()) if f.error)
    assert "Anki numbers deletions from c1" in errs and "cloze deletion after '---'" in errs


MERGED = """# D

## f1-one

Q1?

---

A1
##f1-no-space

Q2?

---

A2
"""


def test_heading_without_space_and_second_separator_are_errors():
    """'##id' is not a heading: the parser merges it into the card above, and lint says so twice."""
    cards = parse_text(MERGED, "c.md")
    assert [c.id for c in cards] == ["f1-one"]
    errs = _errors(MERGED)
    assert "c.md:10: error: '##f1-no-space' looks like a card heading but is not one" in "\n".join(errs), errs
    assert any(e.startswith("c.md:14: error: second '---' separator in one card") for e in errs), errs
    assert len(errs) == 2


@pytest.mark.parametrize("line", ["##f1-no-space", " ## f1-indented", "##", "##\tf1-tab", "# f1-one-hash",
                                  "### f1-three"])
def test_heading_lookalikes(line):
    errs = _errors(f"# D\n\n## a\n\nQ?\n\n---\n\nA\n\n{line}\n")
    assert len(errs) == 1 and errs[0].startswith("c.md:11: error: ") and "looks like a card heading" in errs[0], errs


@pytest.mark.parametrize("line", ["### Worked example", "#metrics", "# Not an id", "```\n##x\n```", "```\n---\n```"])
def test_body_lines_that_are_not_heading_lookalikes(line):
    assert _errors(f"# D\n\n## a\n\nQ?\n\n---\n\nA\n\n{line}\n") == []


def test_second_separator_in_a_cloze_extra():
    text = "# D\n\n## a\ntype: cloze\n\n{{c1::x}}\n\n---\n\nextra\n\n---\n\nmore\n"
    errs = _errors(text)
    assert len(errs) == 1 and errs[0].startswith("c.md:12: error: second '---' separator"), errs


def _count(output: str, pattern: str) -> int:
    import re

    match = re.search(pattern, output)
    assert match, output
    return int(match.group(1))


def test_lint_and_export_count_the_same_errors(demo_course, tmp_path, run_cli):
    """Content errors and lab-pairing errors count the same in 'cards lint' and 'export anki'."""
    deck = demo_course / "cards" / "demo.md"
    deck.write_text(deck.read_text() + "\n## demo-unlisted\nlab: demo\n\nQ $x?\n\n---\n\nA\n"
                    "##demo-no-space\n\nQ?\n\n---\n\nA\n")
    lint = run_cli("--course-dir", demo_course, "cards", "lint")
    assert lint.exit_code == 1
    linted = _count(lint.output, r"cards: (\d+) errors")
    assert linted == 4  # unlisted in the lesson, unbalanced '$', heading lookalike, second '---'
    export = run_cli("--course-dir", demo_course, "export", "anki", "-o", tmp_path / "x.apkg")
    assert export.exit_code == 2 and not (tmp_path / "x.apkg").exists()
    assert _count(export.output, r"\((\d+) lint errors") == linted
