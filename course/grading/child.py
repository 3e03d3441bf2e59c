"""The untrusted side of grading: import the student's module, run probes, send plain data.

Started by :func:`course.grading.sandbox.child_argv` with the spec and the tests on stdin.
Each event is one JSON line on the file descriptor named in the spec, never on stdout, so
printing "PASSED" achieves nothing: the parent only reads probe *data* here and decides
pass or fail itself.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import marshal
import os
import sys
import time
import types

ORACLE = "oracle:"  # as in course.grading.runner (not imported here: the child stays small)


def _send(stream, event: dict) -> None:
    stream.write(json.dumps(event) + "\n")
    stream.flush()


def _from_code(name: str, payload: str):
    """The test module, from the code the parent compiled: its probes only (see
    :mod:`course.grading.strip`), or for the reference's trusted run the whole file."""
    module = types.ModuleType(name)
    module.__file__ = f"{name}.py"
    sys.modules[name] = module
    exec(marshal.loads(base64.b64decode(payload)), module.__dict__)
    return module


def _load(name: str, path: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _preload(names: list[str]) -> None:
    """Heavy libraries the run will import, imported now, before any student code exists."""
    for name in names:
        try:
            importlib.import_module(name)
        except BaseException:  # noqa: BLE001  (the run meets the same error where it belongs)
            pass


def _mpl_cache(cache) -> None:
    """matplotlib's font list from the grader, in this child's private matplotlib folder (a
    fresh /tmp): without it, the first import of matplotlib scans every font again."""
    import re

    folder = os.environ.get("MPLCONFIGDIR")
    if not cache or not folder:
        return
    name, text = cache
    if not isinstance(name, str) or not isinstance(text, str) or not re.fullmatch(r"fontlist-v[0-9.]+\.json", name):
        return
    try:
        with open(os.path.join(folder, name), "x", encoding="utf-8") as fh:
            fh.write(text)
    except OSError:
        pass


def _lower_cpu_limit(seconds: int) -> None:
    """The run's own CPU budget, counted from now (limits can only go down)."""
    import math
    import resource

    used = math.ceil(time.process_time())
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
        hard = min(hard, soft + 5)
    else:
        hard = soft + 5
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def main() -> None:
    # The setup (first line), the tests (second line) and the run (third line) arrive on stdin:
    # never on the command line or on a disk that the student's code can read. A child may be
    # started ahead of its run: it then waits for the third line with its imports done.
    setup = json.loads(sys.stdin.buffer.readline())
    source = json.loads(sys.stdin.buffer.readline())
    if setup.get("drop_to") is not None:
        # Bubblewrap started as root: become 'nobody' (no capabilities left, not the owner
        # of the host's files, subject to the process limit) before any student code runs.
        uid = setup["drop_to"]
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    from course.grading.sandbox import Limits

    Limits.apply_json(setup["limits"])
    out = os.fdopen(setup["fd"], "w", encoding="utf-8", closefd=False)
    sys.path.insert(0, setup["workdir"])
    from course.grading import plain, spec
    from course.grading.failure import Failure

    _mpl_cache(setup.get("mpl_cache"))
    _preload(setup.get("preload") or [])
    tests_module = _from_code(setup["tests_module"], source)
    del source
    by_name = {t.name: t for t in spec.collect(tests_module)}
    oracles = {o.key: o for o in spec.oracles(tests_module)} if setup.get("full_tests") else {}
    _send(out, {"event": "ready"})
    line = sys.stdin.buffer.readline()
    if not line:
        return  # the grader stopped waiting (a watcher that exits)
    spec = json.loads(line)
    sys.stdin.close()
    sys.stdin = open(os.devnull)  # input() in student code gets EOF
    _lower_cpu_limit(int(spec["cpu"]))
    importlib.invalidate_caches()  # the solution file arrived after the imports above
    if setup.get("guard"):
        from course.grading import guard

        guard.install(setup["hidden_paths"], setup["workdir"])
    student = None
    if spec.get("module"):
        _send(out, {"event": "importing"})
        try:
            student = _load(spec["module"], spec["solution_path"])
        except BaseException as exc:  # noqa: BLE001  (SystemExit and friends are student errors too)
            _send(out, {"event": "import_error", "error": Failure.from_exception(exc, spec["module"]).to_wire()})
            return
    for name in spec["names"]:
        _send(out, {"event": "start", "name": name})
        try:
            if name.startswith(ORACLE):
                value = oracles[name[len(ORACLE):]].compute()
            else:
                value = by_name[name].probe(student)
            data = plain.dumps(plain.to_plain(value))
            _send(out, {"event": "result", "name": name, "data": data})
        except BaseException as exc:  # noqa: BLE001
            _send(out, {"event": "error", "name": name, "error": Failure.from_exception(exc).to_wire()})
    _send(out, {"event": "done"})


if __name__ == "__main__":
    main()
