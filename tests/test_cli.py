"""The student and instructor commands on the demo course, and clean one-line errors."""

import json
import subprocess
import sys
import zipfile

import pytest


def test_lab_flow_start_check_hint_solution_list(demo_course, tmp_path, run_cli):
    work = tmp_path / "work"
    course = ("--course-dir", demo_course)
    listed = json.loads(run_cli(*course, "lab", "list", "--dir", work, "--json").output)
    assert listed[0]["slug"] == "demo" and listed[0]["status"] == "not started"

    started = run_cli(*course, "lab", "start", "demo", "--dir", work)
    assert started.exit_code == 0, started.output
    ws = work / "demo"
    assert {p.name for p in ws.iterdir()} == {"README.md", "demo.py", "test_demo.py"}
    assert "raise NotImplementedError" in (ws / "demo.py").read_text()
    assert "test_add_many" not in (ws / "test_demo.py").read_text()  # hidden tests stay hidden
    again = run_cli(*course, "lab", "start", "demo", "--dir", work)
    assert again.exit_code == 2 and "already started" in again.output

    check = run_cli(*course, "lab", "check", "demo", "--dir", work, "--sandbox", "none")
    assert check.exit_code == 1 and "Score: 0/5" in check.output
    assert "task 1 (Add): not implemented yet  write add (demo.py:" in check.output
    denied = run_cli(*course, "lab", "solution", "demo", "--dir", work)
    assert denied.exit_code == 2 and "not passed yet" in denied.output

    (ws / "demo.py").write_text((demo_course / "labs" / "demo" / "demo.py").read_text())
    data = json.loads(run_cli(*course, "lab", "check", "demo", "--dir", work, "--json", "--sandbox", "none").output)
    assert data["score"] == data["max_score"] == 5 and data["sandbox"] == "none"
    ok = run_cli(*course, "lab", "check", "demo", "--dir", work, "--sandbox", "none")
    assert ok.exit_code == 0, ok.output
    listed = json.loads(run_cli(*course, "lab", "list", "--dir", work, "--json").output)
    assert listed[0]["status"] == "passed" and listed[0]["last_score"] == 5
    solution = run_cli(*course, "lab", "solution", "demo", "--dir", work)
    assert solution.exit_code == 0 and "### BEGIN" not in solution.output and "return a + b" in solution.output

    hint = run_cli(*course, "lab", "hint", "demo", "2")
    assert hint.exit_code == 0 and "float64" in hint.output
    assert run_cli(*course, "lab", "hint", "demo", "9").exit_code == 2


def test_public_tests_run_with_plain_pytest_in_the_workspace(demo_course, tmp_path, run_cli):
    work = tmp_path / "work"
    run_cli("--course-dir", demo_course, "lab", "start", "demo", "--dir", work)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=work / "demo",
                          capture_output=True, text=True)
    assert done.returncode == 1 and "2 failed" in done.stdout


def test_check_reference_passes(demo_course, run_cli):
    result = run_cli("--course-dir", demo_course, "lab", "check", "demo", "--reference", "--sandbox", "none")
    assert result.exit_code == 0 and "Score: 5/5" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (("lab", "start", "nosuch"), "unknown lab 'nosuch'"),
        (("lab", "check", "demo", "--dir", "/nonexistent-dir"), "run 'course lab start demo' first"),
        (("cards", "show", "nope"), "no card with id 'nope'"),
        (("--course-dir", "/nonexistent", "cards", "list"), "--course-dir: /nonexistent holds no cards/"),
        (("grade", "demo", "{tmp}", "--out", "{tmp}/o", "--sandbox", "weird"), "Invalid value for '--sandbox'"),
        (("export", "anki", "-o", "/proc/deck.apkg"), "-o/--output: cannot write /proc/deck.apkg"),
        (("study", "--db", "{tmp}/not-a-db", "--stats"), "--db: cannot open the review log"),
    ],
)
def test_errors_are_one_line_without_traceback(args, message, demo_course, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    (tmp_path / "not-a-db").write_text("this is not SQLite")
    if args[0] != "--course-dir":
        args = ["--course-dir", str(demo_course), *args]
    done = subprocess.run([sys.executable, "-m", "course", *args], capture_output=True, text=True)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_bad_card_file_error_names_file_and_line(demo_course):
    (demo_course / "cards" / "broken.md").write_text("# Broken\nstray prose\n")
    done = subprocess.run([sys.executable, "-m", "course", "--course-dir", str(demo_course), "cards", "lint"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == ("error: cards/broken.md:2: before the first card only 'lab:' and 'tags:' lines "
                                   "may appear (a card starts with '## id')")


def test_lint_reports_pairing_and_exit_codes(demo_course, run_cli):
    ok = run_cli("--course-dir", demo_course, "cards", "lint")
    assert ok.exit_code == 0, ok.output
    lesson = demo_course / "labs" / "demo" / "README.md"
    lesson.write_text(lesson.read_text().replace("- `demo-add`", "- `demo-gone`"))
    bad = run_cli("--course-dir", demo_course, "cards", "lint")
    assert bad.exit_code == 1
    assert "lists card 'demo-gone', which does not exist" in bad.output
    assert "card pairs with lab 'demo' but labs/demo/README.md does not list it" in bad.output


def test_cards_list_json_and_filters(demo_course, run_cli):
    data = json.loads(run_cli("--course-dir", demo_course, "cards", "list", "--json").output)
    assert [c["id"] for c in data] == ["demo-add", "demo-cloze", "demo-code"]
    tagged = json.loads(run_cli("--course-dir", demo_course, "cards", "list", "--tag", "#math", "--json").output)
    assert [c["id"] for c in tagged] == ["demo-add"]
    by_lab = json.loads(run_cli("--course-dir", demo_course, "cards", "list", "--lab", "demo", "--json").output)
    assert [c["id"] for c in by_lab] == ["demo-add"]


def test_import_study_set_and_quizlet(tmp_path, run_cli):
    study = tmp_path / "set.txt"
    study.write_text("My set\n\n#sop #Layers. What is a layer test?\n\n"
                     "A test of one layer's property, costs $5.\n\nWhy?\n\nBecause.\n")
    out = tmp_path / "cards.md"
    result = run_cli("cards", "import", study, "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("# My set\n") and "tags: #sop #layers" in text and "\\$5" in text
    from course.cards.lint import lint_cards
    from course.cards.parse import parse_text

    cards = parse_text(text, "cards.md")
    assert len(cards) == 2 and not [f for f in lint_cards(cards, tmp_path, set()) if f.error]
    quiz = tmp_path / "q.tsv"
    quiz.write_text("term one\tdefinition one\n#tag term two\tdefinition two\n")
    cards = parse_text(run_cli("cards", "import", quiz).output, "q.md")
    assert [c.front for c in cards] == ["term one", "term two"] and cards[1].tags == ["#tag"]
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\nno tab here\n")
    result = run_cli("cards", "import", bad)
    assert result.exit_code == 2 and "bad.tsv:2: expected 'term<TAB>definition'" in result.output


def test_release_student_edition_has_no_solutions(demo_course, tmp_path, run_cli):
    out = tmp_path / "edition"
    assert run_cli("--course-dir", demo_course, "release", "--out", out).exit_code == 0
    lab_dir = out / "labs" / "demo"
    assert "return a + b" not in (lab_dir / "demo.py").read_text()
    assert ("HIDDEN" not in (lab_dir / "test_demo.py").read_text()
            and "test_add_many" not in (lab_dir / "test_demo.py").read_text())
    assert not (lab_dir / "bugs").exists()
    # The edition is a working course: a student can start and check from it.
    work = tmp_path / "work"
    assert run_cli("--course-dir", out, "lab", "start", "demo", "--dir", work).exit_code == 0
    check = run_cli("--course-dir", out, "lab", "check", "demo", "--dir", work, "--json", "--sandbox", "none")
    assert json.loads(check.output)["max_score"] == 2  # public tests only
    again = run_cli("--course-dir", demo_course, "release", "--out", out)
    assert again.exit_code == 2 and "exists" in again.output


def test_release_gradescope_zip(demo_course, tmp_path, run_cli):
    out = tmp_path / "autograder.zip"
    assert run_cli("--course-dir", demo_course, "release", "--gradescope", "demo", "--out", out).exit_code == 0
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert {"setup.sh", "run_autograder", "engine/pyproject.toml", "engine/labs/demo/demo.py"} <= names
        assert "engine/course/grading/child.py" in names
        run = zf.read("run_autograder").decode()
        assert "course\" grade demo \"$root/submission\"" in run and "results.json" in run
        assert (zf.getinfo("run_autograder").external_attr >> 16) & 0o111


def test_release_github_classroom(demo_course, tmp_path, run_cli):
    out = tmp_path / "classroom"
    assert run_cli("--course-dir", demo_course, "release", "--github-classroom", "--out", out).exit_code == 0
    workflow = (out / ".github" / "workflows" / "classroom.yml").read_text()
    # The repository holds the student edition: public tests only, 2 of the lab's 5 points.
    assert "course lab check demo --dir work" in workflow and "max-score: 2\n" in workflow
    assert (out / "work" / "demo" / "demo.py").is_file()
    assert "return a + b" not in (out / "engine" / "labs" / "demo" / "demo.py").read_text()


def test_check_from_inside_the_workspace(demo_course, tmp_path, run_cli, monkeypatch):
    run_cli("--course-dir", demo_course, "lab", "start", "demo", "--dir", tmp_path / "course-work")
    monkeypatch.chdir(tmp_path / "course-work" / "demo")
    result = run_cli("--course-dir", demo_course, "lab", "check", "demo", "--sandbox", "none")
    assert result.exit_code == 1 and "Score: 0/5" in result.output
    assert (tmp_path / "course-work" / ".course-status.json").is_file()
    assert not (tmp_path / "course-work" / "demo" / "course-work").exists()


def test_lab_figures_are_drawn_from_the_reference(tmp_path, run_cli):
    out = tmp_path / "a folder with spaces"  # the folder is an argument of the child, not its source
    out.mkdir()
    result = run_cli("dev", "figures", "f1", "--out", out)
    assert result.exit_code == 0, result.output
    tmp_path = out
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs and all(name.startswith("f1-") for name in pngs)
    assert all((tmp_path / n).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for n in pngs)


def test_cards_show_keeps_latex(demo_course, run_cli):
    card = demo_course / "cards" / "demo.md"
    card.write_text(card.read_text().replace("What is $2 + 3$?", "What is $2\\,+\\,3$?"))
    result = run_cli("--course-dir", demo_course, "cards", "show", "demo-add")
    assert result.exit_code == 0 and "2\\,+\\,3" in result.output


def test_gradescope_run_autograder_always_writes_results(demo_course, tmp_path, run_cli):
    """Run the zip's run_autograder in a fake /autograder: graded, then with a broken engine."""
    import os
    import stat

    out = tmp_path / "autograder.zip"
    run_cli("--course-dir", demo_course, "release", "--gradescope", "demo", "--out", out)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(root / "source")
    (root / "venv" / "bin").mkdir(parents=True)
    course = root / "venv" / "bin" / "course"
    course.write_text(f"#!/bin/sh\nexec {sys.executable} -m course --course-dir {root / 'source' / 'engine'} \"$@\"\n")
    course.chmod(course.stat().st_mode | stat.S_IEXEC)
    (root / "submission" / "demo").mkdir(parents=True)
    (root / "submission" / "demo" / "demo.py").write_text((demo_course / "labs" / "demo" / "demo.py").read_text())
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "COURSE_SANDBOX": "none"}
    script = root / "source" / "run_autograder"
    subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True)
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == results["max_score"] == 5 and len(results["tests"]) == 4
    course.write_text("#!/bin/sh\nexit 3\n")  # the grader itself is broken
    subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True)
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "could not grade" in results["output"]


def test_grade_accepts_zips_and_reports_broken_submissions(demo_course, tmp_path, run_cli):
    import csv

    good = tmp_path / "alice.zip"
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("course-work/demo/demo.py", (demo_course / "labs" / "demo" / "demo.py").read_text())
        zf.writestr("course-work/demo/conftest.py", "raise SystemExit('never imported')\n")
    empty = tmp_path / "bob"
    empty.mkdir()
    corrupt = tmp_path / "carol.zip"
    corrupt.write_bytes(b"not a zip")
    out = tmp_path / "out"
    result = run_cli("--course-dir", demo_course, "grade", "demo", good, empty, corrupt, "--out", out,
                     "--sandbox", "none", "--trust-submissions")
    assert result.exit_code == 0, result.output
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert rows["alice"]["total"] == "5" and rows["alice"]["task1"] == "3" and rows["alice"]["task2"] == "2"
    assert rows["bob"]["total"] == "0" and "no demo.py" in rows["bob"]["status"]
    assert rows["carol"]["total"] == "0" and "not a readable zip" in rows["carol"]["status"]
    assert json.loads((out / "bob" / "results.json").read_text())["score"] == 0
    assert "could not be graded" in (out / "carol" / "feedback.md").read_text()


def test_watch_checks_then_rechecks_on_save(demo_course, tmp_path, run_cli):
    import os
    import queue
    import threading
    import time

    work = tmp_path / "work"
    run_cli("--course-dir", demo_course, "lab", "start", "demo", "--dir", work)
    env = {**os.environ, "COURSE_SANDBOX": "none", "COLUMNS": "120", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "course", "--course-dir", str(demo_course), "lab", "watch", "demo",
                             "--dir", str(work), "--interval", "0.2"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()

    def wait_for(text: str) -> str:
        seen, deadline = "", time.monotonic() + 60
        while text not in seen and time.monotonic() < deadline:
            try:
                seen += lines.get(timeout=0.5)
            except queue.Empty:
                pass
        return seen

    try:
        assert "Score: 0/5" in wait_for("Score: 0/5")
        (work / "demo" / "demo.py").write_text((demo_course / "labs" / "demo" / "demo.py").read_text())
        assert "All tests pass" in wait_for("All tests pass")
    finally:
        proc.kill()
        proc.wait()


def test_student_names_are_unique_and_safe(tmp_path):
    from course.grading.classroom import student_names

    (tmp_path / "alice").mkdir()
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "demo.py").write_text("")
    names = [s.student for s in student_names([tmp_path / "a", tmp_path / "a", tmp_path / "a-2",
                                               tmp_path / "x" / "..", tmp_path / "bob" / "demo.py",
                                               tmp_path / "grades.csv", tmp_path / ".hidden"])]
    assert len(set(names)) == len(names)
    assert names[:3] == ["a", "a-2", "a-2-2"]
    assert names[4] == "bob" and names[5] != "grades.csv" and not any(n.startswith(".") or n == ".." for n in names)


def test_grade_and_check_fail_in_one_line(demo_course, tmp_path):
    (tmp_path / "afile").write_text("")
    done = subprocess.run([sys.executable, "-m", "course", "--course-dir", str(demo_course), "grade", "demo",
                           str(tmp_path), "--out", str(tmp_path / "afile" / "sub")], capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    tests = demo_course / "labs" / "demo" / "test_demo.py"
    tests.write_text(tests.read_text() + "\ndef broken(:\n")
    done = subprocess.run([sys.executable, "-m", "course", "--course-dir", str(demo_course), "lab", "check", "demo",
                           "--reference"], capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "labs/demo/test_demo.py:" in done.stderr and "invalid syntax" in done.stderr


def test_release_never_overwrites_the_course(demo_course, run_cli):
    for target in (demo_course, demo_course.parent, demo_course / "labs" / "x"):
        result = run_cli("--course-dir", demo_course, "release", "--out", target, "--force")
        assert result.exit_code == 2 and "would overwrite the course's own files" in result.output
    assert (demo_course / "labs" / "demo" / "demo.py").is_file()


def test_start_inside_the_course_content_is_refused(demo_course, run_cli):
    result = run_cli("--course-dir", demo_course, "lab", "start", "demo", "--dir", demo_course / "labs")
    assert result.exit_code == 2 and "inside the course's own files" in result.output


@pytest.mark.parametrize("order, message", [('["demo", "demo"]', "listed twice"),
                                            ('["../x"]', "lowercase Python module name")])
def test_manifest_rejects_bad_order(order, message, demo_course, run_cli):
    (demo_course / "labs" / "manifest.toml").write_text(f"order = {order}\n")
    result = run_cli("--course-dir", demo_course, "lab", "list")
    assert result.exit_code == 2 and message in result.output


# --- issue 16: an honest student edition, clear feedback, consistent messages -----------------

def test_stub_header_says_it_is_the_students_file(demo_lab):
    from course.labs import variants

    stub = variants.student_files(demo_lab)["demo.py"]
    lines = stub.splitlines()
    assert lines[0] == "# Your file for lab demo: Demo lab for the engine's own tests."
    header = stub[: stub.index('"""')]
    assert "your file to complete, not a solution" in header
    assert "1. Add (3 points)" in header and "2. Scale (2 points)" in header
    assert "course lab check demo" in header and "pytest test_demo.py" in header and "course lab hint demo N" in header
    # Without '# Task N' sections the functions to write are listed with their lines.
    for name in ("add", "scale"):
        line = int(header.split(f"{name} (line ")[1].split(")")[0])
        assert lines[line - 1].strip().startswith("# TODO") and lines[line].strip() == "raise NotImplementedError"
    assert variants.stub_source(demo_lab) == stub  # stable
    # A stub given back to the generator (the student edition's files) is left as it is.
    demo_lab.solution_file.write_text(stub)
    assert variants.stub_source(demo_lab) == stub


def test_course_stubs_map_tasks_to_their_functions_and_never_claim_to_be_the_solution():
    from course.content import content_root
    from course.labs import variants
    from course.labs.manifest import load_manifest

    for lab in load_manifest(content_root()).labs:
        stub = variants.stub_source(lab)
        header, _, rest = stub.partition('"""')
        docstring = rest.split('"""')[0]
        assert "reference solution" not in header + docstring, lab.slug
        assert header.startswith(f"# Your file for lab {lab.slug}:")
        lines = stub.splitlines()
        flat = header.replace("\n#        ", " ")  # join wrapped lines
        for task in lab.tasks:  # every task names where to write it, at a TODO
            entry = next(ln for ln in flat.splitlines() if ln.startswith(f"#   {task.number}. "))
            assert "(line " in entry, (lab.slug, entry)
        for _, name, line in variants.todo_functions(stub):
            assert lines[line - 1].strip().startswith("# TODO"), (lab.slug, name, line)
            assert f"{name} (line {line})" in flat, (lab.slug, name)


def test_classroom_work_files_and_edition_stubs_carry_the_header(demo_course, tmp_path, run_cli):
    out = tmp_path / "classroom"
    assert run_cli("--course-dir", demo_course, "release", "--github-classroom", "--out", out).exit_code == 0
    assert (out / "work" / "demo" / "demo.py").read_text().startswith("# Your file for lab demo")
    edition = tmp_path / "edition"
    assert run_cli("--course-dir", demo_course, "release", "--out", edition).exit_code == 0
    stub = (edition / "labs" / "demo" / "demo.py").read_text()
    work = tmp_path / "work"
    assert run_cli("--course-dir", edition, "lab", "start", "demo", "--dir", work).exit_code == 0
    assert (work / "demo" / "demo.py").read_text() == stub and stub.count("# Your file for lab") == 1


def test_solution_in_the_student_edition_says_it_ships_none(demo_course, tmp_path, run_cli):
    edition = tmp_path / "edition"
    run_cli("--course-dir", demo_course, "release", "--out", edition)
    for extra in ((), ("--force",)):
        result = run_cli("--course-dir", edition, "lab", "solution", "demo", "--dir", tmp_path / "w", *extra)
        assert result.exit_code == 2 and "raise NotImplementedError" not in result.output
        assert "student edition of the course, which ships without solutions" in result.output
    classroom = tmp_path / "classroom"
    run_cli("--course-dir", demo_course, "release", "--github-classroom", "--out", classroom)
    result = run_cli("--course-dir", classroom / "engine", "lab", "solution", "demo", "--force")
    assert result.exit_code == 2 and "ships without solutions" in result.output


def test_what_went_wrong_shows_the_task_being_worked_on_first(demo_course, tmp_path, run_cli):
    work = tmp_path / "work"
    course = ("--course-dir", demo_course)
    run_cli(*course, "lab", "start", "demo", "--dir", work)
    stub = work / "demo" / "demo.py"
    # Task 1 left as a stub; task 2 written, wrongly.
    stub.write_text(stub.read_text().replace(
        "    # TODO: your code here\n    raise NotImplementedError\n", "    return np.asarray(x) * factor + 1\n"))
    result = run_cli(*course, "lab", "check", "demo", "--dir", work, "--sandbox", "none", env={"COLUMNS": "200"})
    out = result.output
    assert result.exit_code == 1
    failing, todo = out.index("✗ test_scale_double (task 2)"), out.index("• task 1 (Add): not implemented yet")
    assert out.index("What went wrong") < failing < todo
    assert "Next: task 2 (Scale)" in out


def test_course_dir_is_accepted_after_the_subcommand(demo_course, tmp_path, run_cli):
    listed = run_cli("cards", "list", "--json", "--course-dir", demo_course)
    assert (listed.exit_code == 0
            and [c["id"] for c in json.loads(listed.output)] == ["demo-add", "demo-cloze", "demo-code"])
    assert run_cli("cards", "lint", "--course-dir", demo_course).exit_code == 0
    assert json.loads(run_cli("lab", "list", "--json", "--dir", tmp_path, "--course-dir",
                              demo_course).output)[0]["slug"] == "demo"
    assert "due now: 0" in run_cli("study", "--stats", "--db", tmp_path / "r.db", "--course-dir", demo_course).output
    # After the subcommand it wins over the one before it.
    both = run_cli("--course-dir", "/nonexistent", "cards", "list", "--json", "--course-dir", demo_course)
    assert both.exit_code == 0, both.output
    assert "--course-dir" in run_cli("cards", "lint", "--help").output


@pytest.mark.parametrize(
    "args, message",
    [
        (("cards", "lint", "--bogus"), "error: No such option '--bogus' (see 'course cards lint --help')"),
        (("--bogus",), "error: No such option '--bogus' (see 'course --help')"),
        (("lab", "check"), "error: Missing argument 'SLUG' (see 'course lab check --help')"),
        (("study", "--new", "-1", "--stats"), "error: Invalid value for '--new'"),
        (("cards", "list", "--lab", "nosuch"), "error: --lab: unknown lab 'nosuch' (labs: demo)"),
        (("study", "--lab", "nosuch", "--stats"), "error: --lab: unknown lab 'nosuch' (labs: demo)"),
        (("export", "anki", "--lab", "nosuch"), "error: --lab: unknown lab 'nosuch' (labs: demo)"),
        (("export", "anki", "-o", "{tmp}/missing/dir/x.apkg"),
         "error: -o/--output: cannot write {tmp}/missing/dir/x.apkg: folder {tmp}/missing/dir does not exist"),
        (("cards", "import", "{tmp}/set.txt", "-o", "{tmp}/missing/c.md"),
         "error: -o/--output: cannot write {tmp}/missing/c.md: folder {tmp}/missing does not exist"),
        (("release", "--out", "/proc/x"), "error: --out: cannot write /proc/x ("),
        (("release", "--gradescope", "demo", "--out", "/proc/x.zip"), "error: --out: cannot write /proc/x.zip ("),
        (("release", "--out", "{tmp}/missing/edition"),
         "error: --out: cannot write {tmp}/missing/edition: folder {tmp}/missing does not exist"),
    ],
)
def test_errors_have_one_form(args, message, demo_course, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    message = message.replace("{tmp}", str(tmp_path))
    (tmp_path / "set.txt").write_text("term\tdefinition\n")
    done = subprocess.run([sys.executable, "-m", "course", "--course-dir", str(demo_course), *args],
                          capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1, done.stderr
    assert "Error:" not in done.stderr and ".qq" not in done.stderr and "/proc/." not in done.stderr
    assert not (tmp_path / "missing").exists()


def test_unknown_tag_warns_and_plurals_are_right(demo_course, tmp_path, run_cli):
    course = ("--course-dir", demo_course)
    done = subprocess.run([sys.executable, "-m", "course", *course, "cards", "list", "--tag", "#nosuch"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "warning: --tag: no card has the tag '#nosuch'" in done.stderr
    assert done.stderr.strip().endswith("0 cards")
    done = subprocess.run([sys.executable, "-m", "course", *course, "cards", "list", "--tag", "#math"],
                          capture_output=True, text=True)
    assert done.stderr.strip() == "1 card"
    done = subprocess.run([sys.executable, "-m", "course", *course, "study", "--tag", "#nosuch", "--db",
                           str(tmp_path / "r.db")], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.splitlines() == [
        "warning: --tag: no card has the tag '#nosuch' (see 'course cards list --json' for tags)",
        "error: no cards match the --tag/--lab filters"]
    one = run_cli(*course, "export", "anki", "--tag", "#math", "-o", tmp_path / "one.apkg")
    assert one.exit_code == 0 and "1 note, 1 subdeck, 0 media files" in one.output
    (tmp_path / "set.txt").write_text("term\tdefinition\n")
    done = subprocess.run([sys.executable, "-m", "course", "cards", "import", str(tmp_path / "set.txt"), "-o",
                           str(tmp_path / "c.md")], capture_output=True, text=True)
    assert done.stderr.strip().endswith(": 1 card")


def test_author_commands_live_under_dev_and_the_old_spelling_forwards(demo_course, run_cli):
    assert "selfcheck" not in run_cli("lab", "--help").output  # the student's group shows student commands
    assert {"selfcheck", "figures", "mutate"} <= set(run_cli("dev", "--help").output.split())
    new = run_cli("--course-dir", demo_course, "dev", "selfcheck", "demo", "--sandbox", "none")
    old = run_cli("--course-dir", demo_course, "lab", "selfcheck", "demo", "--sandbox", "none")
    assert new.exit_code == old.exit_code == 0, new.output + old.output
    assert "reference 5/5" in new.output and "'course lab selfcheck' is now 'course dev selfcheck'" in old.output
