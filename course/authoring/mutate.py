"""``course dev mutate SLUG``: mutation testing of a lab's graded tests (an author command).

Each mutant is the reference solution with one small change inside one solution block (an
operator swapped, a comparison loosened, a constant moved by one, a keyword argument dropped,
a ``.copy()`` removed, a statement deleted, ...), stated as a checked edit ``(old, new)`` and
applied by :func:`course.labs.variants.apply_edits`, the function that applies planted bugs.
The real grader grades it (sandbox "none" for speed); the mutant is *killed* when it loses a
point. A good test file kills every mutant
that is not equivalent to the reference; the equivalent ones are listed with a one-line reason
in ``labs/<slug>/equivalent-mutants.txt`` (``<mutant id>  --  <reason>`` a line).

Why a small AST operator set rather than mutmut or cosmic-ray: both drive pytest (or a shell
command) over whole files; here a mutant must be confined to the solution blocks between
markers, be judged by the course's own grader (probes in a child, checks in the parent,
hidden tests told apart), and run two at a time within a lab's time budget. Mutmut 3
rewrites whole modules into trampolines run under pytest, and cosmic-ray mutates files in
place through a session database and a test command per mutant; neither is installed here,
and binding either to the grader and to marker ranges would have been more code than the
operators below. The operators are the classic ones both tools apply (arithmetic, comparison,
boolean, constant, unary, statement deletion) plus three that matter for these labs: dropping
a keyword argument (a parameter not passed on), dropping ``.copy()``/``.clone()`` (an input
changed in place) and swapping the first two arguments of a call (argument order).
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import os
import random
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from course.errors import CourseError
from course.labs import markers, variants
from course.labs.manifest import Lab

EQUIVALENT_FILE = "equivalent-mutants.txt"

_BINOP_SWAPS = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult, ast.MatMult: ast.Mult,
    ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd, ast.LShift: ast.RShift, ast.RShift: ast.LShift,
}
_CMP_SWAPS = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In,
}
_SYMBOLS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.Pow: "**", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>",
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in", ast.And: "and", ast.Or: "or",
}
_COPY_METHODS = {"copy", "clone", "detach", "tolist", "deepcopy"}


@dataclass(frozen=True)
class Mutant:
    id: str
    task: int | None
    line: int
    source: str  # the reference (with its markers) with ``edit`` applied
    edit: tuple[str, str]


@dataclass
class MutantResult:
    mutant: Mutant
    killed: bool
    failed: list[str] = field(default_factory=list)
    hidden_only: bool = False


@dataclass
class MutationReport:
    lab: Lab
    results: list[MutantResult]
    equivalent: dict[str, str]
    unknown_equivalent: list[str]

    def counted(self) -> list[MutantResult]:
        return [r for r in self.results if r.mutant.id not in self.equivalent]

    def score(self, task: int | None = None) -> tuple[int, int]:
        rows = [r for r in self.counted() if task is None or r.mutant.task == task]
        return sum(r.killed for r in rows), len(rows)

    def survivors(self) -> list[MutantResult]:
        return [r for r in self.counted() if not r.killed]

    def hidden_only(self) -> tuple[int, int]:
        killed = [r for r in self.counted() if r.killed]
        return sum(r.hidden_only for r in killed), len(killed)


def _solution_lines(source: str) -> set[int]:
    lines = source.splitlines()
    inside: set[int] = set()
    for begin, end in markers._blocks(lines, markers.BEGIN_SOLUTION, markers.END_SOLUTION):
        inside.update(range(begin + 2, end + 1))  # 1-based lines strictly between the markers
    return inside


def _task_of_line(source: str) -> dict[int, int]:
    task, out = None, {}
    for number, line in enumerate(source.splitlines(), start=1):
        match = re.match(r"#\s*Task (\d+)\b", line)
        if match:
            task = int(match.group(1))
        out[number] = task
    return out


def _enclosing_functions(tree: ast.AST) -> dict[int, ast.AST]:
    """Each node id -> the innermost function (or class) definition around it."""
    owner: dict[int, ast.AST] = {}

    def visit(node: ast.AST, current: ast.AST | None) -> None:
        for child in ast.iter_child_nodes(node):
            owner[id(child)] = current
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else current
            visit(child, inner)

    visit(tree, None)
    return owner


def _qualname(node: ast.AST | None, parents: dict[int, ast.AST]) -> str:
    names = []
    while node is not None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        node = parents.get(id(node))
    return ".".join(reversed(names)) or "<module>"


def _alternatives(node: ast.AST) -> list[tuple[str, str]]:
    """(description, replacement source) pairs for one node."""
    out: list[tuple[str, str]] = []
    unparse = ast.unparse
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOP_SWAPS:
        new = _BINOP_SWAPS[type(node.op)]
        out.append((f"{_SYMBOLS[type(node.op)]} -> {_SYMBOLS[new]}",
                    "(" + unparse(ast.BinOp(node.left, new(), node.right)) + ")"))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMP_SWAPS:
        new = _CMP_SWAPS[type(node.ops[0])]
        out.append((f"{_SYMBOLS[type(node.ops[0])]} -> {_SYMBOLS[new]}",
                    "(" + unparse(ast.Compare(node.left, [new()], node.comparators)) + ")"))
    elif isinstance(node, ast.BoolOp):
        new = ast.Or if isinstance(node.op, ast.And) else ast.And
        out.append((f"{_SYMBOLS[type(node.op)]} -> {_SYMBOLS[new]}",
                    "(" + unparse(ast.BoolOp(new(), node.values)) + ")"))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not, ast.Invert)):
        out.append((f"drop unary {type(node.op).__name__}", "(" + unparse(node.operand) + ")"))
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        out.append((f"{node.value} -> {not node.value}", repr(not node.value)))
    elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        value = node.value
        if value == 0:
            out.append((f"{value!r} -> 1", repr(type(value)(1))))
        elif value == 1:
            out.append((f"{value!r} -> 0", repr(type(value)(0))))
            out.append((f"{value!r} -> 2", repr(type(value)(2))))
        else:
            new = value + 1 if isinstance(value, int) else value * 2
            out.append((f"{value!r} -> {new!r}", repr(new)))
    elif isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _COPY_METHODS and not node.args and not node.keywords:
            out.append((f"drop .{func.attr}()", "(" + unparse(func.value) + ")"))
        for i, kw in enumerate(node.keywords):
            if kw.arg is None:
                continue
            kept = [k for j, k in enumerate(node.keywords) if j != i]
            out.append((f"drop {kw.arg}=", unparse(ast.Call(func, node.args, kept))))
        if len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args[:2]):
            if unparse(node.args[0]) != unparse(node.args[1]):
                args = [node.args[1], node.args[0], *node.args[2:]]
                out.append(("swap first two arguments", unparse(ast.Call(func, args, node.keywords))))
    return out


def _statement_alternatives(node: ast.stmt) -> list[tuple[str, str]]:
    if isinstance(node, (ast.Expr, ast.AugAssign)) and not (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    ):
        return [("delete statement", "pass")]
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
        return []
    if isinstance(node, (ast.Break, ast.Continue)):
        return [("delete statement", "pass")]
    return []


def mutants(source: str) -> list[Mutant]:
    """Every mutant of the solution blocks of ``source`` (the reference with its markers)."""
    tree = ast.parse(source)
    inside = _solution_lines(source)
    tasks = _task_of_line(source)
    owners = _enclosing_functions(tree)
    lines = source.splitlines(keepends=True)
    offsets = line_offsets(source)
    out: list[Mutant] = []
    seen: dict[str, int] = {}
    for node in ast.walk(tree):
        lineno = getattr(node, "lineno", None)
        if lineno is None or lineno not in inside or node.end_lineno not in inside:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            continue
        if isinstance(node, ast.stmt):
            alternatives = _statement_alternatives(node)
        elif isinstance(node, ast.expr):
            alternatives = _alternatives(node)
        else:
            continue
        func = owners.get(id(node))
        name = _qualname(func, owners) if func is not None else "<module>"
        base = getattr(func, "lineno", 0)
        start = offsets[node.lineno - 1] + len(lines[node.lineno - 1].encode()[: node.col_offset].decode())
        end = offsets[node.end_lineno - 1] + len(lines[node.end_lineno - 1].encode()[: node.end_col_offset].decode())
        for description, replacement in alternatives:
            key = f"{name}+{node.lineno - base}:{node.col_offset}: {description}"
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                key += f" #{seen[key]}"
            edit = unique_edit(source, offsets, start, end, replacement)
            new_source = variants.apply_edits(source, [edit], f"mutant {key}")
            try:
                compile(new_source, "<mutant>", "exec")
            except SyntaxError:
                continue
            out.append(Mutant(key, tasks.get(node.lineno), node.lineno, new_source, edit))
    return sorted(out, key=lambda m: (m.line, m.id))


def unique_edit(source: str, offsets: list[int], start: int, end: int, replacement: str,
                whole_lines: bool = False) -> tuple[str, str]:
    """The edit (old, new) replacing ``source[start:end]`` by ``replacement``, its ``old`` widened
    to whole lines, then to the lines around them, until it occurs exactly once in ``source``
    (a segment such as ``1`` or ``x + y`` usually occurs in many places). ``offsets``: where
    each line of ``source`` starts, and its length last."""
    old = source[start:end]
    if not whole_lines and variants.occurrences(source, old) == 1:
        return old, replacement
    first = bisect.bisect_right(offsets, start) - 1  # 0-based line of start
    last = bisect.bisect_left(offsets, end) - 1  # 0-based line holding end (end is exclusive)
    lines = len(offsets) - 1
    while True:
        left, right = offsets[first], offsets[last + 1]
        old = source[left:right]
        if variants.occurrences(source, old) == 1 or (first == 0 and last == lines - 1):
            return old, source[left:start] + replacement + source[end:right]
        first, last = max(0, first - 1), min(lines - 1, last + 1)


def line_offsets(source: str) -> list[int]:
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def bug_edit(reference: str, variant: str) -> tuple[str, str]:
    """One edit of whole lines turning ``reference`` into ``variant`` (which differ in one place)."""
    prefix = len(os.path.commonprefix([reference, variant]))
    suffix = len(os.path.commonprefix([reference[prefix:][::-1], variant[prefix:][::-1]]))
    old, new = unique_edit(reference, line_offsets(reference), prefix, len(reference) - suffix,
                           variant[prefix:len(variant) - suffix], whole_lines=True)
    if old.endswith("\n") and new.endswith("\n"):  # edits read as lines
        old, new = old[:-1], new[:-1]
    return old, new


def bug_file(mutant: Mutant, reference: str, caught_by: list[str]) -> str:
    """A planted-bug file (docstring, ``CAUGHT_BY``, ``REPLACE``) for ``mutant``."""
    import json

    old, new = (json.dumps(text, ensure_ascii=False)
                for text in bug_edit(reference, markers.strip_solution_markers(mutant.source)))
    edit = f"    ({old}, {new}),"
    if len(edit) > 120:
        edit = f"    (\n        {old},\n        {new},\n    ),"
    return (f'"""Mutant {mutant.id} (say here what a student would have misunderstood)."""\n'
            f"CAUGHT_BY = {json.dumps(caught_by)}\n\nREPLACE = [\n{edit}\n]\n")


def read_equivalent(lab: Lab) -> dict[str, str]:
    """``{mutant id: reason}`` from the lab's committed list of equivalent mutants."""
    path = lab.directory / EQUIVALENT_FILE
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, reason = line.partition("  --  ")
        out[key.strip()] = reason.strip() if sep else ""
    return out


def in_process_reference(lab: Lab, tests) -> dict[str, object]:
    """The reference's probe data computed in this (trusted) process, in a scratch folder.

    A fallback for authors' tools only, when the grader cannot run the reference in its child
    (the reference is the course's own code, so nothing untrusted runs here).
    """
    import contextlib
    import importlib.util
    import os
    import sys

    from course.grading import plain

    name = f"_course_reference_{lab.slug}"
    spec = importlib.util.spec_from_file_location(lab.slug, lab.solution_file)
    module = importlib.util.module_from_spec(spec)
    saved = sys.modules.get(lab.slug)
    sys.modules[lab.slug] = module
    out: dict[str, object] = {}
    here = os.getcwd()
    try:
        spec.loader.exec_module(module)
        with tempfile.TemporaryDirectory(prefix=name) as tmp:
            os.chdir(tmp)
            for test in tests:
                with contextlib.redirect_stdout(sys.stderr):
                    out[test.name] = plain.roundtrip(test.probe(module))
    finally:
        os.chdir(here)
        if saved is not None:
            sys.modules[lab.slug] = saved
    return out


def use_reference_fallback() -> None:
    """Let the grader fall back to :func:`in_process_reference` when its child cannot run the
    reference (prints a note once). For authors' tools (mutate, selfcheck --reference-in-process)."""
    import sys

    from course.errors import CourseError
    from course.grading import grade as grade_module

    original = grade_module.reference_outputs
    if getattr(original, "_fallback", False):
        return
    memo: dict[tuple[str, str], object] = {}

    def reference_outputs(lab, tests, *args, **kwargs):
        try:
            return original(lab, tests, *args, **kwargs)
        except CourseError as exc:
            wanted = [t for t in tests if t.uses_reference]
            missing = [t for t in wanted if (lab.slug, t.name) not in memo]
            if missing:
                print(f"note: {exc.__str__().splitlines()[0]}; computing the reference data in-process",
                      file=sys.stderr)
                memo.update({(lab.slug, k): v for k, v in in_process_reference(lab, missing).items()})
            return {t.name: memo[(lab.slug, t.name)] for t in wanted}

    reference_outputs._fallback = True
    grade_module.reference_outputs = reference_outputs


def _forked(fn, timeout: float, on_line=None) -> list[str]:
    """Run ``fn(write)`` in a forked child; return the lines it wrote before it ended or
    ``timeout`` seconds passed (then it is killed)."""
    import os
    import select
    import signal
    import time

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        try:
            os.setpgid(0, 0)
            out = os.fdopen(write_fd, "w", buffering=1)
            fn(lambda line: out.write(line.replace("\n", " ") + "\n"))
            out.flush()
        except BaseException:  # noqa: BLE001
            import traceback

            traceback.print_exc()
        finally:
            os._exit(0)
    os.close(write_fd)
    lines, buffer, deadline = [], b"", time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([read_fd], [], [], left)
            if not ready:
                break
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            buffer += chunk
            *done, buffer = buffer.split(b"\n")
            lines += [d.decode() for d in done]
    finally:
        os.close(read_fd)
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        os.waitpid(pid, 0)
    return lines


def _load_module(slug: str, source: str):
    import sys
    import types

    module = types.ModuleType(slug)
    module.__file__ = f"{slug}.py"
    sys.modules[slug] = module
    exec(compile(source, f"{slug}.py", "exec"), module.__dict__)
    return module


def _fast_reference(lab: Lab, tests, source: str) -> dict[str, object]:
    """The reference's probe data, computed in a forked child (the parent never runs torch ops,
    so forking stays safe)."""
    import json
    import os

    from course.grading import plain

    def child(write):
        import contextlib
        import sys

        module = _load_module(lab.slug, source)
        with tempfile.TemporaryDirectory() as tmp:
            os.chdir(tmp)
            for test in tests:
                with contextlib.redirect_stdout(sys.stderr):
                    write(json.dumps([test.name, plain.dumps(plain.to_plain(test.probe(module)))]))

    lines = _forked(child, timeout=lab.time_limit * 3)
    out = {}
    for line in lines:
        name, data = json.loads(line)
        out[name] = plain.loads(data)
    missing = [t.name for t in tests if t.name not in out]
    if missing:
        raise CourseError(f"lab {lab.slug}: the reference gave no data for {missing[0]}")
    return out


def _fast_grade(lab: Lab, tests, refs: dict, source: str, timeout: float) -> dict[str, bool]:
    """``{test name: passed}`` for the module ``source``: the same probes and checks as the
    grader, the probes run in a forked child with ``timeout`` seconds for all of them."""
    import json
    import os

    from course.grading import plain

    def child(write):
        import contextlib
        import sys

        with tempfile.TemporaryDirectory() as tmp:
            os.chdir(tmp)
            try:
                with contextlib.redirect_stdout(sys.stderr), contextlib.redirect_stderr(open(os.devnull, "w")):
                    module = _load_module(lab.slug, source)
            except BaseException:  # noqa: BLE001  (a mutant that does not import fails every test)
                return
            for test in tests:
                try:
                    with contextlib.redirect_stdout(sys.stderr), contextlib.redirect_stderr(open(os.devnull, "w")):
                        data = plain.roundtrip(test.probe(module))
                    test.verify(data, refs.get(test.name))
                    passed = True
                except BaseException:  # noqa: BLE001
                    passed = False
                write(json.dumps([test.name, passed]))

    verdicts: dict[str, bool | None] = {t.name: None for t in tests}  # None: no report (crash or timeout)
    for line in _forked(child, timeout=timeout):
        name, passed = json.loads(line)
        verdicts[name] = bool(passed)
    return verdicts


def run(lab: Lab, *, sample: int | None = None, seed: int = 0, workers: int = 2, task: int | None = None,
        engine: str = "fast", sandbox_kind: str = "none", progress=None) -> MutationReport:
    """Grade every mutant (or a seeded sample of ``sample`` of them) of ``lab``'s reference.

    ``engine="grader"`` grades each mutant with the real grader (``sandbox_kind``);
    ``engine="fast"`` runs the same probes and checks, the probes in a forked child of this
    process (modules imported once, so a mutant costs its probes only). The project's tests
    check on a sample that both engines give the same verdicts.
    """
    from course.grading.grade import grade, load_tests

    source = lab.solution_file.read_text(encoding="utf-8")
    every = mutants(source)
    if task is not None:
        every = [m for m in every if m.task == task]
    chosen = every if sample is None or sample >= len(every) else random.Random(seed).sample(every, sample)
    # A mutant that loops forever is killed by the timeout; no need to wait the full budget.
    fast_lab = dataclasses.replace(lab, test_timeout=min(lab.test_timeout, 15.0), time_limit=min(lab.time_limit, 90.0))
    equivalent = read_equivalent(lab)
    ids = {m.id for m in every}
    unknown = sorted(k for k in equivalent if k not in ids) if task is None else []

    if engine == "fast":
        return _run_fast(lab, chosen, equivalent, unknown, load_tests(lab), source, workers, progress)
    use_reference_fallback()
    with tempfile.TemporaryDirectory(prefix="course-mutate-") as tmp:
        baseline = Path(tmp) / "reference" / f"{lab.slug}.py"
        baseline.parent.mkdir()
        baseline.write_text(markers.strip_solution_markers(source), encoding="utf-8")
        check = grade(fast_lab, baseline, sandbox_kind=sandbox_kind)
        if not check.full_marks:
            bad = next(r for r in check.results if not r.passed) if check.results else None
            raise CourseError(f"lab {lab.slug}: the unmutated reference does not get full marks here "
                              f"({bad.test.name + ': ' + bad.message.splitlines()[0] if bad else 'no tests ran'}); "
                              "mutants cannot be judged")

        def judge(item: tuple[int, Mutant]) -> MutantResult:
            index, mutant = item
            directory = Path(tmp) / f"m{index}"
            directory.mkdir()
            path = directory / f"{lab.slug}.py"
            path.write_text(markers.strip_solution_markers(mutant.source), encoding="utf-8")
            result = grade(fast_lab, path, sandbox_kind=sandbox_kind)
            failed = [r for r in result.results if not r.passed]
            killed = bool(failed) or not result.results
            out = MutantResult(mutant, killed, [r.test.name for r in failed],
                               hidden_only=bool(failed) and all(r.test.hidden for r in failed))
            if progress is not None:
                progress(out)
            return out

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = list(pool.map(judge, enumerate(chosen)))
    return MutationReport(lab, results, equivalent, unknown)


def _run_fast(lab, chosen, equivalent, unknown, tests, source, workers, progress) -> MutationReport:
    import importlib
    import time

    for heavy in ("numpy", "torch", "matplotlib"):  # imported once here, shared by every fork
        try:
            importlib.import_module(heavy)
        except ImportError:
            pass
    plain_source = markers.strip_solution_markers(source)
    wanted = [t for t in tests if t.uses_reference]
    refs = _fast_reference(lab, wanted, plain_source) if wanted else {}
    begin = time.monotonic()
    baseline = _fast_grade(lab, tests, refs, plain_source, lab.time_limit * 3)
    reference_seconds = time.monotonic() - begin
    if not all(baseline.values()):
        bad = next(n for n, ok in baseline.items() if not ok)
        raise CourseError(f"lab {lab.slug}: the unmutated reference fails {bad} on the fast engine")
    timeout = max(10.0, 5 * reference_seconds)
    hidden = {t.name: t.hidden for t in tests}

    def judge(mutant: Mutant) -> MutantResult:
        source = markers.strip_solution_markers(mutant.source)
        verdicts = _fast_grade(lab, tests, refs, source, timeout)
        if any(ok is None for ok in verdicts.values()):
            # No report: a crash or a timeout. On a loaded machine a slow child is not a killed
            # mutant: grade it once more with four times the time before counting it.
            verdicts = _fast_grade(lab, tests, refs, source, 4 * timeout)
        failed = [n for n, ok in verdicts.items() if not ok]
        out = MutantResult(mutant, bool(failed), failed, hidden_only=bool(failed) and all(hidden[n] for n in failed))
        if progress is not None:
            progress(out)
        return out

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(judge, chosen))
    return MutationReport(lab, results, equivalent, unknown)


def format_report(report: MutationReport, *, show_survivors: bool = True, show_hidden_only: bool = False) -> list[str]:
    killed, total = report.score()
    hidden, killed_n = report.hidden_only()
    pct = 100.0 * killed / total if total else 100.0
    lines = [f"{report.lab.slug}: {killed}/{total} mutants killed ({pct:.1f}%), "
             f"{len(report.results) - len(report.counted())} equivalent; "
             f"killed only by hidden tests: {hidden}/{killed_n}"
             + (f" ({100.0 * hidden / killed_n:.0f}%)" if killed_n else "")]
    for task in report.lab.tasks:
        k, t = report.score(task.number)
        if t:
            lines.append(f"  task {task.number}: {k}/{t} ({100.0 * k / t:.0f}%)  {task.title}")
    if show_survivors:
        for r in report.survivors():
            lines.append(f"  SURVIVED {r.mutant.id}  (line {r.mutant.line})")
    if show_hidden_only:
        for r in report.counted():
            if r.killed and r.hidden_only:
                lines.append(f"  HIDDEN-ONLY {r.mutant.id}  (killed by {', '.join(r.failed)})")
    for key in report.unknown_equivalent:
        lines.append(f"  STALE equivalent entry (no such mutant): {key}")
    return lines


def save_mutant_as_bug(lab: Lab, mutant_id: str, name: str) -> tuple[Path, list[str]]:
    """Write the mutant ``mutant_id`` as ``bugs/<name>.py``; its ``CAUGHT_BY`` lists the tests
    that kill it (the fast engine), empty for a survivor."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise CourseError(f"bug name {name!r}: use lower-case letters, digits and _")
    path = lab.bugs_dir / f"{name}.py"
    if path.exists():
        raise CourseError(f"{path}: already exists")
    source = lab.solution_file.read_text(encoding="utf-8")
    mutant = next((m for m in mutants(source) if m.id == mutant_id), None)
    if mutant is None:
        raise CourseError(f"lab {lab.slug}: no mutant {mutant_id!r} (see course dev mutate {lab.slug} --list)")
    from course.grading.grade import load_tests

    report = _run_fast(lab, [mutant], {}, [], load_tests(lab), source, 1, None)
    caught = report.results[0].failed
    path.parent.mkdir(exist_ok=True)
    path.write_text(bug_file(mutant, markers.strip_solution_markers(source), caught), encoding="utf-8")
    return path, caught


# --- the command ---------------------------------------------------------------------------
