"""Benchmark: `course export anki` against raw genanki, and the CLI's start-up time.

Prints, for the built-in course and for 5,000 generated cards: our export time, the time raw
genanki takes to write the same (already rendered) notes, and their ratio. Then the start time
of `course --help` and whether card commands import torch or matplotlib (they must not).

    python benchmarks/export.py [--cards 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _generated_course(root: Path, n: int) -> None:
    (root / "cards").mkdir(parents=True)
    (root / "labs").mkdir()
    (root / "labs" / "manifest.toml").write_text("order = []\n")
    per_file = 250
    for f in range(0, n, per_file):
        parts = [f"# Generated {f // per_file}\n\ntags: #bench\n"]
        for i in range(f, min(n, f + per_file)):
            if i % 3 == 2:
                parts.append(f"## gen-{i}\ntype: cloze\n\nThe value of $x_{{{i}}}$ is {{{{c1::{i} }}}}.\n")
            else:
                parts.append(
                    f"## gen-{i}\ntags: #topic/t{i % 7}\n\nWhat is **card {i}** about?\n\n---\n\n"
                    f"It is about $\\sum_k k^{{{i % 5}}}$ and\n\n```python\nx = {i} * 2\n```\n"
                )
        (root / "cards" / f"gen{f // per_file:03d}.md").write_text("\n".join(parts))


def _measure(root: Path, repeat: int) -> tuple[float, float, int]:
    import genanki

    from course.cards.export import build_notes, export, note_guid
    from course.cards.notetypes import model_for
    from course.cards.parse import load_cards

    cards = load_cards(root, [])
    out = Path(tempfile.mkdtemp()) / "deck.apkg"
    ours = _best(lambda: export(root, load_cards(root, []), out), repeat)
    notes = build_notes(cards, root)

    def raw() -> None:
        deck = genanki.Deck(1, "Raw")
        for n in notes:
            deck.add_note(genanki.Note(model=model_for(n.card.type), fields=n.fields, tags=n.tags,
                                       guid=note_guid(n.card.id)))
        genanki.Package(deck).write_to_file(str(out.with_name("raw.apkg")))

    baseline = _best(raw, repeat)
    shutil.rmtree(out.parent, ignore_errors=True)
    return ours, baseline, len(cards)


def _startup(repeat: int) -> tuple[float, list[str]]:
    cmd = [sys.executable, "-m", "course", "--help"]
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    probe = (
        "import sys; from click.testing import CliRunner; from course.cli import main; "
        "CliRunner().invoke(main, ['cards', 'list']); CliRunner().invoke(main, ['cards', 'lint']); "
        "print(' '.join(m for m in ('torch', 'matplotlib') if m in sys.modules))"
    )
    heavy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    return statistics.median(times[1:]), heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from course.content import content_root

    print(f"{'course':<22} {'cards':>6} {'course export':>14} {'raw genanki':>12} {'ratio':>6}")
    ours, raw, n = _measure(content_root(), args.repeat)
    print(f"{'built-in':<22} {n:>6} {ours:>13.2f}s {raw:>11.2f}s {ours / raw:>6.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        _generated_course(Path(tmp), args.cards)
        ours, raw, n = _measure(Path(tmp), args.repeat)
        print(f"{'generated':<22} {n:>6} {ours:>13.2f}s {raw:>11.2f}s {ours / raw:>6.2f}")
    start, heavy = _startup(args.repeat)
    print(f"course --help start-up: {start * 1000:.0f} ms (median of {args.repeat})")
    print(f"heavy modules imported by card commands: {', '.join(heavy) or 'none'}")
    os.environ.pop("COURSE_DIR", None)


if __name__ == "__main__":
    main()
