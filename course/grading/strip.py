"""What of a test file the untrusted child gets: the probes, without their checks.

The child has to run each probe's code, but it never needs to know what the answer should
be. ``expect=`` and ``check=`` in ``@graded(...)`` become ``expect=None``, and top-level
helpers and constants that only the checks used are dropped, so student code that walks
the interpreter's memory finds no expected values. Line numbers are kept, so tracebacks
still point at the probe's line in the test file.
"""

from __future__ import annotations

import ast
import base64
import collections
import functools
import marshal

_JUDGING = ("expect", "check")


def _is_graded(decorator: ast.expr) -> bool:
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    return ((isinstance(func, ast.Name) and func.id == "graded")
            or (isinstance(func, ast.Attribute) and func.attr == "graded"))


def _defined(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if all(isinstance(t, ast.Name) for t in targets):
            return {t.id for t in targets}
    return set()


def _loaded(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def probes_only(source: str, filename: str) -> ast.Module:
    """The test module's AST with every check removed."""
    tree = ast.parse(source, filename=filename)
    probes = []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and any(_is_graded(d) for d in stmt.decorator_list):
            probes.append(stmt)
            for decorator in stmt.decorator_list:
                if isinstance(decorator, ast.Call) and _is_graded(decorator):
                    kept = [k for k in decorator.keywords if k.arg not in _JUDGING]
                    blank = ast.copy_location(ast.keyword(arg="expect", value=ast.Constant(None)), decorator)
                    decorator.keywords = kept + [ast.fix_missing_locations(blank)]
    # Drop helpers nothing else uses, until none is left to drop (a check's helpers go too).
    # Each statement's names are read once and counted: a pass costs no walk of the tree.
    body = list(tree.body)
    loads = {id(stmt): _loaded(stmt) for stmt in body}
    uses = collections.Counter(name for stmt in body for name in loads[id(stmt)])
    keep = {id(stmt) for stmt in probes}
    changed = True
    while changed:
        changed = False
        for stmt in list(body):
            names = _defined(stmt)
            if not names or id(stmt) in keep:
                continue
            own = loads[id(stmt)]
            if not any(uses[name] - (name in own) > 0 for name in names):  # used by no other statement
                body.remove(stmt)
                uses.subtract(own)
                changed = True
    tree.body = body
    return tree


@functools.lru_cache(maxsize=32)
def child_code(source: str, filename: str, full: bool = False) -> str:
    """What the child receives of a test file: its probes compiled here, in the trusted
    parent, and marshalled (the child runs the same interpreter). The full source never
    enters a process that runs student code, not even as a string freed after stripping,
    which a submission could still find in its own memory. ``full`` (the reference's own
    trusted run) compiles the whole file."""
    tree = ast.parse(source, filename=filename) if full else probes_only(source, filename)
    return base64.b64encode(marshal.dumps(compile(tree, filename, "exec"))).decode("ascii")
