"""Terminal study: FSRS scheduling over an append-only review log keyed by card id."""

import sqlite3

import pytest


def test_study_session_logs_reviews_and_schedules(demo_course, tmp_path, run_cli, monkeypatch):
    db = tmp_path / "reviews.sqlite3"
    monkeypatch.setenv("COURSE_STUDY_NOW", "2026-01-01T09:00:00+00:00")
    course = ("--course-dir", demo_course)
    stats = run_cli(*course, "study", "--db", db, "--stats")
    assert "due now: 0  new left today: 3 (0 introduced today, --new 10 per day; 3 never seen)" in stats.output
    # Three new cards: good, again, easy.
    result = run_cli(*course, "study", "--db", db, input="\n3\n\n1\n\n4\n")
    assert result.exit_code == 0, result.output
    assert f"Reviewed 3 cards, saved in {db}." in result.output
    assert "[...]" in result.output  # the cloze front hides its deletion
    rows = sqlite3.connect(db).execute("SELECT card_id, rating FROM reviews ORDER BY id").fetchall()
    assert rows == [("demo-add", 3), ("demo-cloze", 1), ("demo-code", 4)]
    # The same day: no new cards left, the 'again' card is due within minutes.
    monkeypatch.setenv("COURSE_STUDY_NOW", "2026-01-01T09:30:00+00:00")
    stats = run_cli(*course, "study", "--db", db, "--stats")
    assert "new left today: 0 (3 introduced today" in stats.output and "due now: 2" in stats.output
    # An edit of the card's text keeps its progress: state is keyed by id.
    card = demo_course / "cards" / "demo.md"
    card.write_text(card.read_text().replace("What is $2 + 3$?", "What is $2 + 3$, exactly?"))
    assert "due now: 2" in run_cli(*course, "study", "--db", db, "--stats").output


def test_quit_writes_nothing(demo_course, tmp_path, run_cli, monkeypatch):
    db = tmp_path / "r.sqlite3"
    monkeypatch.setenv("COURSE_STUDY_NOW", "2026-01-01T09:00:00")
    result = run_cli("--course-dir", demo_course, "study", "--db", db, input="q\n")
    assert result.exit_code == 0 and "Reviewed 0 cards, saved in" in result.output
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0


def _rows(db):
    return sqlite3.connect(db).execute("SELECT card_id, rating, reviewed_at FROM reviews ORDER BY id").fetchall()


def test_each_review_is_stamped_when_it_is_rated(demo_course, tmp_path, run_cli, monkeypatch):
    from datetime import datetime

    import course.cards.study

    ticks = iter(range(0, 10_000, 4))  # every look at the clock is 4 s after the previous one
    monkeypatch.setattr(course.cards.study.time, "monotonic", lambda: float(next(ticks)))
    monkeypatch.setenv("COURSE_STUDY_NOW", "2026-01-01T09:00:00+00:00")
    db = tmp_path / "r.sqlite3"
    assert run_cli("--course-dir", demo_course, "study", "--db", db, input="\n3\n\n3\n\n3\n").exit_code == 0
    stamps = [datetime.fromisoformat(r[2]) for r in _rows(db)]
    assert len(stamps) == 3 and len(set(stamps)) == 3
    assert [(b - a).total_seconds() for a, b in zip(stamps, stamps[1:])] == [4.0, 4.0]


@pytest.mark.parametrize("keys", ["\n3\n", "\n3\n\n"], ids=["at the Enter prompt", "at the rating prompt"])
def test_end_of_input_saves_and_summarises(keys, demo_course, tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("COURSE_STUDY_NOW", "2026-01-01T09:00:00")
    db = tmp_path / "r.sqlite3"
    result = run_cli("--course-dir", demo_course, "study", "--db", db, input=keys)
    assert result.exit_code == 0 and "Aborted" not in result.output
    assert "Reviewed 1 card, saved in" in result.output
    assert [r[:2] for r in _rows(db)] == [("demo-add", 3)]


@pytest.mark.parametrize("at", [2, 3], ids=["at the Enter prompt", "at the rating prompt"])
@pytest.mark.parametrize("stop", ["abort", "interrupt"])
def test_ctrl_c_saves_and_summarises_with_the_same_exit_code(at, stop, demo_course, tmp_path, run_cli, monkeypatch):
    """Ctrl-C reaches the command as click.Abort (from a prompt) or as KeyboardInterrupt."""
    import click

    answers = iter(["", "3", "", "3"][:at])  # Enter, rate 3, then Ctrl-C at the next prompt

    def prompt(*args, **kwargs):
        try:
            return next(answers)
        except StopIteration:
            raise click.Abort() if stop == "abort" else KeyboardInterrupt() from None

    monkeypatch.setattr(click, "prompt", prompt)
    monkeypatch.setenv("COURSE_STUDY_NOW", "2026-01-01T09:00:00")
    db = tmp_path / "r.sqlite3"
    result = run_cli("--course-dir", demo_course, "study", "--db", db)
    assert result.exit_code == 0, result.output
    assert "Reviewed 1 card, saved in" in result.output and "Aborted" not in result.output
    assert len(_rows(db)) == 1


def test_new_is_per_day_and_says_so(demo_course, tmp_path, run_cli, monkeypatch):
    extra = "".join(f"## extra-{i}\n\nQuestion {i}?\n\n---\n\nAnswer {i}.\n\n" for i in range(4))
    (demo_course / "cards" / "extra.md").write_text("# Extra\n\n" + extra)
    monkeypatch.setenv("COURSE_STUDY_NOW", "2026-01-01T09:00:00+00:00")
    course = ("--course-dir", demo_course, "study", "--db", tmp_path / "r.sqlite3")
    done = run_cli(*course, "--new", "3", input="\n3\n" * 3)
    assert "Reviewed 3 cards" in done.output
    # The same day, in a new session: --new 3 counts the three already introduced.
    again = run_cli(*course, "--new", "3")
    assert again.exit_code == 0
    assert ("Nothing due. Today's new cards are used up: 3 introduced today, --new 3 per day; 4 new cards wait. "
            "Come back tomorrow, or raise --new above 3 for more today.") in " ".join(again.output.split())
    stats = " ".join(run_cli(*course, "--new", "3", "--stats").output.split())
    assert "due now: 0 new left today: 0 (3 introduced today, --new 3 per day; 4 never seen)" in stats
    stats = " ".join(run_cli(*course, "--stats").output.split())
    assert "new left today: 4 (3 introduced today, --new 10 per day; 4 never seen)" in stats
    more = run_cli(*course, "--new", "5", input="\n3\n" * 5)
    assert "Reviewed 2 cards" in more.output  # 5 a day, 3 of them already introduced
    monkeypatch.setenv("COURSE_STUDY_NOW", "2026-01-02T00:00:01+00:00")  # a new (UTC) day
    stats = " ".join(run_cli(*course, "--new", "3", "--stats").output.split())
    assert "new left today: 2 (0 introduced today, --new 3 per day; 2 never seen)" in stats
