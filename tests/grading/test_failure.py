"""A student's exception travels as checked data: the child describes it, the parent trusts
no field of what arrives, and the text a student reads is written in one place."""

from course.grading.failure import MAX_FRAMES, Failure, Frame


def _raise_in(depth: int):
    if depth:
        return _raise_in(depth - 1)
    raise ValueError("bad shape")


def test_an_exception_round_trips_with_its_innermost_frames():
    try:
        _raise_in(5)
    except ValueError as exc:
        sent = Failure.from_exception(exc).to_wire()
    got = Failure.from_wire(sent)
    assert got.type == "ValueError" and got.message == "bad shape"
    assert len(got.frames) == MAX_FRAMES and got.where.function == "_raise_in"
    assert got.where.file == "test_failure.py" and got.where.code == 'raise ValueError("bad shape")'
    assert got.text().splitlines()[0] == "ValueError: bad shape"
    assert got.text().splitlines()[-1].startswith(f"  test_failure.py:{got.where.line} in _raise_in: raise")


def test_a_syntax_error_is_told_with_its_line_and_a_caret():
    try:
        compile("def f(:\n    pass\n", "demo.py", "exec")
    except SyntaxError as exc:
        failure = Failure.from_wire(Failure.from_exception(exc, "demo").to_wire())
    lines = failure.text().splitlines()
    assert lines[0] == "demo.py:1: SyntaxError: invalid syntax" and lines[1] == "    def f(:"
    assert lines[2] == "    " + " " * 6 + "^"


def test_what_a_child_sends_is_checked_field_by_field():
    assert Failure.from_wire("boom") == Failure("Error", "boom")
    assert Failure.from_wire(None) == Failure("Error", "")
    forged = Failure.from_wire({"type": ["x"], "message": 7, "syntax": "yes", "caret": -4,
                                "frames": [["a.py", "12", None, 3], "junk", ["b.py", True, "f", "x"]] * 50})
    assert forged.type == "['x']" and forged.message == "7" and forged.syntax is False and forged.caret == 0
    assert len(forged.frames) <= MAX_FRAMES
    assert all(isinstance(f.line, int) and f.line >= 0 and isinstance(f.function, str) for f in forged.frames)
    huge = Failure.from_wire({"type": "E" * 10_000, "message": "m" * 100_000,
                              "frames": [["f" * 10_000, 1, "g" * 10_000, "c" * 10_000]], "caret": 10**9})
    assert len(huge.type) <= 200 and len(huge.message) <= 4000 and huge.caret <= 500
    assert len(huge.where.file) <= 200 and len(huge.where.code) <= 500


def test_a_stub_is_recognised_by_the_exception_type_not_by_text():
    from course.grading.grade import TestResult

    stub = Failure("NotImplementedError", "", (Frame("demo.py", 3, "add"),))
    lookalike = Failure("ValueError", "NotImplementedError: add")
    assert TestResult(None, False, "NotImplementedError", failure=stub).not_written
    assert not TestResult(None, False, lookalike.text(), failure=lookalike).not_written


def test_the_students_frames_survive_a_folder_named_course(tmp_path):
    """Only the engine's frames are dropped, wherever the student's file lives."""
    folder = tmp_path / "course" / "f1"
    folder.mkdir(parents=True)
    (folder / "f1.py").write_text("def f():\n    raise ValueError('x')\n")
    code = compile((folder / "f1.py").read_text(), str(folder / "f1.py"), "exec")
    namespace: dict = {}
    exec(code, namespace)
    try:
        namespace["f"]()
    except ValueError as exc:
        failure = Failure.from_exception(exc)
    assert failure.where is not None and failure.where.file == "f1.py" and failure.where.function == "f"
