"""The built-in course: cards lint clean, the lock is current, coverage of the source set."""

import re
from collections import Counter

from course.cards.lint import lint_cards, lint_pairing
from course.cards.parse import load_cards
from course.content import content_root
from course.labs.manifest import load_manifest

ROOT = content_root()
MANIFEST = load_manifest(ROOT)
CARDS = load_cards(ROOT, MANIFEST.slugs)


def test_collection_lints_clean_without_warnings():
    findings = lint_cards(CARDS, ROOT, set(MANIFEST.slugs)) + lint_pairing(CARDS, MANIFEST.labs, ROOT)
    assert [str(f) for f in findings] == []


def test_lock_file_is_current(run_cli):
    result = run_cli("cards", "lock", "--check")
    assert result.exit_code == 0, result.output


def test_size_of_the_deck():
    assert len(CARDS) >= 80
    per_lab = Counter(c.lab for c in CARDS)
    for slug in MANIFEST.slugs:
        assert per_lab[slug] >= 8, f"lab {slug} has only {per_lab[slug]} paired cards"
    assert any(c.type == "cloze" for c in CARDS) and any(c.type == "reversed" for c in CARDS)


def _text():
    return "\n".join(c.front + "\n" + c.back for c in CARDS)


def test_source_set_errors_are_named_and_corrected():
    text = _text()
    assert "HSNW" in text and "Hierarchical Navigable Small World" in text
    assert "Relative Positional Encodings" in text and "Rotary" in text
    assert re.search(r"see image", text, re.I)
    assert re.search(r"echo chamber", text, re.I)
    assert re.search(r"overfit(ting)? a single batch|overfit one batch", text, re.I)
    assert "2TP" in text.replace(r"\,", "").replace(" ", "")


def test_source_set_topics_are_covered():
    text = _text().lower()
    for topic in ("virtual environment", "dependencies", "helper function", "latency", "plt.imshow", "assert",
                  ".shape", "deterministic", "catastrophic forgetting", "layer test", "attention map", "f1",
                  "underfit", "representative"):
        assert topic in text, topic
