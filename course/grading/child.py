"""The untrusted side of grading: import the student's module, run probes, send plain data.

Started by :func:`course.grading.sandbox.child_argv` with the spec and the tests on stdin.
Each event is one JSON line on the file descriptor named in the spec, never on stdout, so
printing "PASSED" achieves nothing: the parent only reads probe *data* here and decides
pass or fail itself.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import traceback
import types


def _send(stream, event: dict) -> None:
    stream.write(json.dumps(event) + "\n")
    stream.flush()


def _from_source(name: str, source: str):
    """The test module, built from its probes only (see :mod:`course.grading.strip`)."""
    from course.grading.strip import probes_only

    filename = f"{name}.py"
    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module
    exec(compile(probes_only(source, filename), filename, "exec"), module.__dict__)
    return module


def _load(name: str, path: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    # The spec (first line) and the tests arrive on stdin: never on the command line or on a
    # disk that the student's code can read.
    spec = json.loads(sys.stdin.buffer.readline())
    source = sys.stdin.buffer.read().decode("utf-8")
    sys.stdin.close()
    sys.stdin = open(os.devnull)  # input() in student code gets EOF
    if spec.get("drop_to") is not None:
        # Bubblewrap started as root: become 'nobody' (no capabilities left, not the owner
        # of the host's files, subject to the process limit) before any student code runs.
        uid = spec["drop_to"]
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    from course.grading.sandbox import Limits

    Limits.apply_json(spec["limits"])
    out = os.fdopen(spec["fd"], "w", encoding="utf-8", closefd=False)
    sys.path.insert(0, spec["workdir"])
    from course import plain, testing

    tests_module = _from_source(spec["tests_module"], source)
    del source
    by_name = {t.name: t for t in testing.collect(tests_module)}
    if spec.get("guard"):
        from course.grading import guard

        guard.install(spec["hidden_paths"], spec["workdir"])
    _send(out, {"event": "importing"})
    try:
        student = _load(spec["module"], spec["solution_path"])
    except BaseException as exc:  # noqa: BLE001  (SystemExit and friends are student errors too)
        _send(out, {"event": "import_error", "error": _describe_import(exc, spec["module"])})
        return
    for name in spec["names"]:
        _send(out, {"event": "start", "name": name})
        try:
            value = by_name[name].probe(student)
            data = plain.dumps(plain.to_plain(value))
            _send(out, {"event": "result", "name": name, "data": data})
        except BaseException as exc:  # noqa: BLE001
            _send(out, {"event": "error", "name": name, "error": _describe(exc)})
    _send(out, {"event": "done"})


def _describe(exc: BaseException) -> str:
    """The exception and the last frames of the student's code, for feedback."""
    frames = traceback.extract_tb(exc.__traceback__)
    student_frames = [f for f in frames if "course" + os.sep not in f.filename][-3:]
    where = "".join(
        f"\n  {os.path.basename(f.filename)}:{f.lineno} in {f.name}" + (f": {f.line}" if f.line else "") for f in student_frames
    )
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text + where


def _describe_import(exc: BaseException, module: str) -> str:
    """An import failure as a compiler would show it: ``f1.py:474:``, the line and a caret."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        where = f"{module}.py:{exc.lineno}:"
        text = (exc.text or "").rstrip("\n")
        shown = f"{where} {type(exc).__name__}: {exc.msg}"
        if text.strip():
            indent = len(text) - len(text.lstrip())
            caret = " " * max(0, (exc.offset or 1) - 1 - indent) + "^"
            shown += f"\n    {text.strip()}\n    {caret}"
        return shown
    return _describe(exc)


if __name__ == "__main__":
    main()
