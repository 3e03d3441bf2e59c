"""Closing the loop: lab tasks name their cards (lab.toml), a failed check brings them forward
in `course study`, and the pairing is linted."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from course.labs import variants
from course.labs.manifest import load_manifest

NOW = "2026-11-30T10:00:00+00:00"


def _toml(course: Path) -> Path:
    return course / "labs" / "demo" / "lab.toml"


def _lint_errors(run_cli, course: Path) -> str:
    result = run_cli("--course-dir", course, "cards", "lint")
    return result.output


# --- pairing: lab.toml and lint ------------------------------------------------------

def test_manifest_reads_task_cards_with_lines(demo_course):
    lab = load_manifest(demo_course).get("demo")
    assert [t.cards for t in lab.tasks] == [("demo-add",), ("demo-add",)]
    assert [t.line for t in lab.tasks] == [5, 10] and lab.tasks[1].card_lines == (14,)


@pytest.mark.parametrize("edit, message", [
    (('cards = ["demo-add"]\n[[task]]', '[[task]]'), "labs/demo/lab.toml:5: error: task 1 names no cards"),
    (('number = 2\ntitle = "Scale"\npoints = 2\ncards = ["demo-add"]',
      'number = 2\ntitle = "Scale"\npoints = 2\ncards = [\n  "demo-add",\n  "demo-nope",\n]'),
     "labs/demo/lab.toml:16: error: task 2 names card 'demo-nope', which does not exist"),
    (('cards = ["demo-add"]\n[[task]]', 'cards = ["demo-cloze"]\n[[task]]'),
     "labs/demo/lab.toml:9: error: task 1 names card 'demo-cloze', which pairs with lab 'none', not 'demo'"),
])
def test_lint_requires_each_task_to_name_existing_cards_of_its_lab(edit, message, demo_course, run_cli):
    toml = _toml(demo_course)
    text = toml.read_text()
    assert edit[0] in text
    toml.write_text(text.replace(edit[0], edit[1], 1))
    output = _lint_errors(run_cli, demo_course)
    assert message in output, output
    export = run_cli("--course-dir", demo_course, "export", "anki", "-o", demo_course / "x.apkg")
    assert export.exit_code != 0 and not (demo_course / "x.apkg").exists()


def test_bad_cards_field_is_one_line(demo_course, run_cli):
    toml = _toml(demo_course)
    toml.write_text(toml.read_text().replace('cards = ["demo-add"]', 'cards = "demo-add"', 1))
    result = run_cli("--course-dir", demo_course, "cards", "lint")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {toml}:5: task 1: 'cards' must be a list of card ids"]


def test_task_tag_tree_is_reserved(demo_course, run_cli):
    cards = demo_course / "cards" / "demo.md"
    cards.write_text(cards.read_text().replace("tags: #code", "tags: #code #mmd/demo"))
    assert "error: tag '#mmd/demo' is reserved" in _lint_errors(run_cli, demo_course)


def test_selfcheck_reports_task_card_problems(demo_course):
    from course.authoring.selfcheck import _task_card_problems

    lab = load_manifest(demo_course).get("demo")
    assert _task_card_problems(lab) == []
    toml = _toml(demo_course)
    toml.write_text(toml.read_text().replace('cards = ["demo-add"]', 'cards = ["demo-gone"]', 1))
    lab = load_manifest(demo_course).get("demo")
    assert _task_card_problems(lab) == ["labs/demo/lab.toml:9: task 1 names card 'demo-gone', which does not exist"]


def test_every_task_of_the_course_names_cards_of_its_lab():
    from course.cards.pairing import task_card_problems
    from course.cards.parse import load_cards
    from course.content import content_root

    root = content_root()
    manifest = load_manifest(root)
    cards = {c.id: c for c in load_cards(root)}
    for lab in manifest.labs:
        assert task_card_problems(lab, cards, root) == []
        assert all(t.cards for t in lab.tasks)


# --- students: lab check -> review log -> study -------------------------------------------

@pytest.fixture
def study_env(tmp_path, monkeypatch):
    db = tmp_path / "reviews.sqlite3"
    monkeypatch.setenv("COURSE_STUDY_DB", str(db))
    monkeypatch.setenv("COURSE_STUDY_NOW", NOW)
    return db


def _workspace(demo_course: Path, tmp_path: Path, source: str) -> Path:
    lab = load_manifest(demo_course).get("demo")
    variants.write_variant(source, tmp_path / "work" / "demo", lab)
    return tmp_path / "work"


def _bug(demo_course):
    lab = load_manifest(demo_course).get("demo")
    return lab, variants.bug_source(lab, variants.bugs(lab)[0])


def _rows(db: Path, table: str = "task_results"):
    return sqlite3.connect(db).execute(f"SELECT lab, task, passed FROM {table} ORDER BY id").fetchall()


def test_failed_task_names_its_cards_and_study_puts_them_first(demo_course, tmp_path, run_cli, study_env, monkeypatch):
    lab, source = _bug(demo_course)
    work = _workspace(demo_course, tmp_path, source)
    course = ("--course-dir", demo_course)
    check = run_cli(*course, "lab", "check", "demo", "--dir", work, "--sandbox", "none")
    assert check.exit_code == 1
    out = " ".join(check.output.split())
    assert "The cards behind the failed task" in out
    assert f"Task 1 (Add): course study --course-dir {demo_course} --lab demo --task 1" in out
    assert "tag:mmd::demo::task-1" in out
    assert "demo-add What is $2 + 3$?" in out
    assert "Task 2" not in out  # the bug breaks add only
    assert _rows(study_env) == [("demo", 1, 0)]  # a failure; passes matter only after one

    # The next study session starts with the missed task's card, with the reason.
    monkeypatch.setenv("COURSE_STUDY_NOW", "2026-12-01T08:00:00+00:00")
    stats = run_cli(*course, "study", "--new", "0", "--stats")
    assert "first, for failed lab tasks: 1 card (you missed demo task 1 on 30 Nov)" in stats.output
    session = run_cli(*course, "study", "--new", "0", input="\n3\n")
    assert session.exit_code == 0, session.output
    assert session.output.index("you missed demo task 1 on 30 Nov") < session.output.index("demo-add")
    assert "Reviewed 1 card" in session.output
    # Until the task passes, it stays first.
    assert "you missed demo task 1 on 30 Nov" in run_cli(*course, "study", "--new", "0", input="q\n").output

    # The fixed lab passes the task: the card is back on its schedule, and no advice is printed.
    fixed = _workspace(demo_course, tmp_path, variants.reference_source(lab))
    passed = run_cli(*course, "lab", "check", "demo", "--dir", fixed, "--sandbox", "none")
    assert passed.exit_code == 0 and "cards behind" not in passed.output
    assert _rows(study_env) == [("demo", 1, 0), ("demo", 1, 1)]
    assert run_cli(*course, "lab", "check", "demo", "--dir", fixed, "--sandbox", "none").exit_code == 0
    assert len(_rows(study_env)) == 2  # nothing new to say: nothing written
    again = run_cli(*course, "study", "--new", "0", "--stats")
    assert "failed lab tasks" not in again.output and "due now: 0" in again.output


def test_unwritten_tasks_and_import_errors_are_not_missed(demo_course, tmp_path, run_cli, study_env):
    lab = load_manifest(demo_course).get("demo")
    stub = _workspace(demo_course, tmp_path, variants.stub_source(lab))
    result = run_cli("--course-dir", demo_course, "lab", "check", "demo", "--dir", stub, "--sandbox", "none")
    assert result.exit_code == 1 and "cards behind" not in result.output
    (stub / "demo" / "demo.py").write_text("def add(:\n")
    result = run_cli("--course-dir", demo_course, "lab", "check", "demo", "--dir", stub, "--sandbox", "none")
    assert result.exit_code == 1 and "cards behind" not in result.output
    assert not study_env.exists() or _rows(study_env) == []


def test_a_passing_check_creates_no_review_log(demo_course, tmp_path, run_cli, study_env):
    lab = load_manifest(demo_course).get("demo")
    work = _workspace(demo_course, tmp_path, variants.reference_source(lab))
    checked = run_cli("--course-dir", demo_course, "lab", "check", "demo", "--dir", work, "--sandbox", "none")
    assert checked.exit_code == 0
    assert not study_env.exists()


@pytest.mark.parametrize("damage", ["corrupt", "locked"])
def test_a_bad_review_log_never_changes_the_grade_and_is_left_alone(damage, demo_course, tmp_path, run_cli, study_env):
    lab, source = _bug(demo_course)
    work = _workspace(demo_course, tmp_path, source)
    holder = None
    if damage == "corrupt":
        study_env.write_bytes(b"not a database, but my notes" * 100)
    else:
        run_cli("--course-dir", demo_course, "study", "--stats")  # create it
        holder = sqlite3.connect(study_env)
        holder.execute("BEGIN EXCLUSIVE")
    before = study_env.read_bytes()
    try:
        check = run_cli("--course-dir", demo_course, "lab", "check", "demo", "--dir", work, "--sandbox", "none")
        json_check = run_cli("--course-dir", demo_course, "lab", "check", "demo", "--dir", work, "--sandbox", "none",
                             "--json")
        study = run_cli("--course-dir", demo_course, "study", "--stats")
    finally:
        if holder is not None:
            holder.rollback()
            holder.close()
    assert check.exit_code == 1 and "Score: 2/5" in check.output  # the grade stands
    assert "Traceback" not in check.output
    notes = [line for line in check.output.splitlines() if "not recorded" in line]
    assert len(notes) == 1 and "the file was left as it was" in notes[0]
    assert json_check.exit_code == 1 and '"score": 2' in json_check.output
    assert study.exit_code == 2 and "Traceback" not in study.output
    assert len(study.output.strip().splitlines()) == 1 and study.output.startswith("error: --db:")
    assert study_env.read_bytes() == before


def test_study_task_shows_every_card_of_the_task(demo_course, tmp_path, run_cli, study_env):
    course = ("--course-dir", demo_course, "study")
    assert run_cli(*course, "--lab", "demo", "--task", "2", "--new", "0", "--stats").exit_code == 0
    session = run_cli(*course, "--lab", "demo", "--task", "2", "--new", "0", input="\n3\n")
    assert "Reviewed 1 card" in session.output and "demo-add" in session.output
    # Reviewed and not due: --task still shows it (the student asked for this task's cards now).
    assert "Reviewed 1 card" in run_cli(*course, "--lab", "demo", "--task", "2", input="\n3\n").output
    for args, message in [(("--task", "2"), "--task: give exactly one --lab"),
                          (("--lab", "demo", "--task", "7"), "lab demo: no task 7")]:
        result = run_cli(*course, *args)
        assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_task_outcomes():
    from types import SimpleNamespace as NS

    from course.cards.loop import task_outcomes

    def r(task, passed, message=""):  # a stub is told by the exception's type, not by the text
        return NS(test=NS(task=task), passed=passed, message=message,
                  not_written=message.startswith("NotImplementedError"))

    result = NS(import_error="", results=[r(1, True), r(1, False, "AssertionError: no"), r(2, True),
                                          r(3, False, "NotImplementedError\nf.py:3 in g"), r(4, True),
                                          r(4, False, "NotImplementedError"), r(5, False, "NotImplementedError"),
                                          r(5, False, "ValueError")])
    assert task_outcomes(result) == {1: False, 2: True, 5: False}
    assert task_outcomes(NS(import_error="SyntaxError", results=result.results)) == {}


def test_failing_f1_task_3_brings_its_cards_forward(tmp_path, run_cli, study_env):
    """The issue's 'done when', on the real course: f1 with averaging over classes broken."""
    from course.content import content_root

    lab = load_manifest(content_root()).get("f1")
    bug = next(b for b in variants.bugs(lab) if b.name == "macro_of_means")
    variants.write_variant(variants.bug_source(lab, bug), tmp_path / "work" / "f1", lab)
    check = run_cli("lab", "check", "f1", "--dir", tmp_path / "work", "--sandbox", "none", env={"COLUMNS": "200"})
    assert check.exit_code == 1
    tail = check.output[check.output.index("The cards behind the failed task"):]
    assert "Task 3 (Averaging over classes): course study --lab f1 --task 3" in tail
    assert "tag:mmd::f1::task-3" in tail and "Task 2" not in tail
    assert [line.split()[0] for line in tail.splitlines()[3:7]] == list(lab.task(3).cards)
    assert "f1-macro              What is macro-F1?" in tail
    stats = run_cli("study", "--stats")
    assert "first, for failed lab tasks: 4 cards (you missed f1 task 3 on 30 Nov)" in stats.output
    session = run_cli("study", "--new", "0", input="\n3\n" * 4 + "q\n")
    shown = re.findall(r"\b(f1-[a-z-]+)\b", session.output)
    assert list(dict.fromkeys(shown))[:4] == list(lab.task(3).cards)
    assert session.output.count("you missed f1 task 3 on 30 Nov") == 4
