"""Terminal study: FSRS scheduling over an append-only review log keyed by card id."""

import sqlite3


def test_study_session_logs_reviews_and_schedules(demo_course, tmp_path, run_cli, monkeypatch):
    db = tmp_path / "reviews.sqlite3"
    monkeypatch.setenv("COURSE_STUDY_NOW", "2026-01-01T09:00:00+00:00")
    course = ("--course-dir", demo_course)
    stats = run_cli(*course, "study", "--db", db, "--stats")
    assert "due now: 0  new today: 3" in stats.output
    # Three new cards: good, again, easy.
    result = run_cli(*course, "study", "--db", db, input="\n3\n\n1\n\n4\n")
    assert result.exit_code == 0, result.output
    assert "Reviewed 3 cards." in result.output
    assert "[...]" in result.output  # the cloze front hides its deletion
    rows = sqlite3.connect(db).execute("SELECT card_id, rating FROM reviews ORDER BY id").fetchall()
    assert rows == [("demo-add", 3), ("demo-cloze", 1), ("demo-code", 4)]
    # The same day: no new cards left, the 'again' card is due within minutes.
    monkeypatch.setenv("COURSE_STUDY_NOW", "2026-01-01T09:30:00+00:00")
    stats = run_cli(*course, "study", "--db", db, "--stats")
    assert "new today: 0" in stats.output and "due now: 2" in stats.output
    # An edit of the card's text keeps its progress: state is keyed by id.
    card = demo_course / "cards" / "demo.md"
    card.write_text(card.read_text().replace("What is $2 + 3$?", "What is $2 + 3$, exactly?"))
    assert "due now: 2" in run_cli(*course, "study", "--db", db, "--stats").output


def test_quit_writes_nothing(demo_course, tmp_path, run_cli, monkeypatch):
    db = tmp_path / "r.sqlite3"
    monkeypatch.setenv("COURSE_STUDY_NOW", "2026-01-01T09:00:00")
    result = run_cli("--course-dir", demo_course, "study", "--db", db, input="q\n")
    assert result.exit_code == 0 and "Reviewed 0 cards." in result.output
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0
