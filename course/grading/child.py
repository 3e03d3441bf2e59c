"""The untrusted side of grading: import the student's module, run probes, send plain data.

Run as ``python -I -B -m course.grading.child`` with the spec and the tests on stdin. Each event is one JSON line on the
file descriptor named in the spec, never on stdout, so printing "PASSED" achieves nothing:
the parent only reads probe *data* here and decides pass or fail itself.
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


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


_CHANGE_ONE = {"os.mkdir", "os.remove", "os.rmdir", "os.truncate", "os.chmod", "os.chown", "os.utime", "shutil.rmtree"}
_CHANGE_TWO = {"os.rename", "os.symlink", "os.link"}


def _writes(mode, flags) -> bool:
    """Whether an ``open`` audit event (builtin open or os.open) can write."""
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def _install_guard(hidden: list[str], workdir: str) -> None:
    """Fallback sandbox (no bubblewrap): an audit hook that refuses the obvious escapes.

    It hides the course content and reference cache, allows writing only in the working
    folder (TMPDIR points there too), and refuses new programs and network connections. It
    is not a security boundary against native code; bubblewrap is.
    """
    roots = tuple(os.path.realpath(h) + os.sep for h in hidden)
    writable = (os.path.realpath(workdir) + os.sep,)

    def blocked(path) -> bool:
        if isinstance(path, int) or path is None:
            return False
        try:
            real = os.path.realpath(os.fsdecode(path)) + os.sep
        except (TypeError, ValueError):
            return False
        return real.startswith(roots)

    def outside_ok(path) -> bool:
        return (os.path.realpath(os.fsdecode(path)) + os.sep).startswith(writable)

    def hook(event: str, args: tuple) -> None:
        if event in ("open", "os.listdir", "os.scandir", "shutil.copyfile", "os.chdir") and args and blocked(args[0]):
            raise PermissionError(f"grading sandbox: access to {args[0]!r} is not allowed")
        # os.open's dir_fd does not reach the hook: a relative path could mean any folder.
        if event == "open" and len(args) > 1 and args[1] is None and isinstance(args[0], (str, bytes)) and not os.path.isabs(args[0]):
            raise PermissionError("grading sandbox: os.open needs an absolute path")
        if event in ("os.listdir", "os.scandir", "os.chdir") and args and isinstance(args[0], int):
            raise PermissionError("grading sandbox: folders opened by descriptor are not allowed")
        targets = ()
        if event == "open" and len(args) > 2 and _writes(args[1], args[2]):
            targets = args[:1]
        elif event in _CHANGE_ONE:
            targets = args[:1]
        elif event in _CHANGE_TWO:
            targets = args[:2]
        for target in targets:
            if isinstance(target, (str, bytes, os.PathLike)) and not outside_ok(target):
                raise PermissionError(f"grading sandbox: writing {target!r} is not allowed")
        if event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "pty.spawn"):
            raise PermissionError("grading sandbox: starting programs is not allowed")
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind") and len(args) > 1 and isinstance(args[1], tuple):
            raise PermissionError("grading sandbox: network access is not allowed")

    sys.addaudithook(hook)


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
    from course.grading.sandbox import Limits

    Limits.apply_json(spec["limits"])
    out = os.fdopen(spec["fd"], "w", encoding="utf-8", closefd=False)
    sys.path.insert(0, spec["workdir"])
    from course import plain, testing

    tests_module = _from_source(spec["tests_module"], source)
    del source
    by_name = {t.name: t for t in testing.collect(tests_module)}
    if spec.get("guard"):
        _install_guard(spec["hidden_paths"], spec["workdir"])
    _send(out, {"event": "importing"})
    try:
        student = _load(spec["module"], spec["solution_path"])
    except BaseException as exc:  # noqa: BLE001  (SystemExit and friends are student errors too)
        _send(out, {"event": "import_error", "error": _describe(exc)})
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


if __name__ == "__main__":
    main()
