import pytest

from course.labs import markers

SOURCE = '''def f(x):
    """Doc."""
    ### BEGIN SOLUTION (square x)
    y = x * x
    return y
    ### END SOLUTION


def g():
    ### BEGIN SOLUTION
    return 1
    ### END SOLUTION
'''


def test_stub_replaces_solution_blocks():
    stub = markers.make_stub(SOURCE)
    assert "x * x" not in stub and "return 1" not in stub
    assert "    # TODO: square x\n    raise NotImplementedError\n" in stub
    assert "    # TODO: your code here\n    raise NotImplementedError\n" in stub
    namespace = {}
    exec(stub, namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](2)


def test_reference_keeps_code_and_drops_markers():
    ref = markers.strip_solution_markers(SOURCE)
    assert "###" not in ref
    namespace = {}
    exec(ref, namespace)
    assert namespace["f"](3) == 9


def test_hidden_tests_removed():
    src = "a = 1\n### BEGIN HIDDEN TESTS\nb = 2\n### END HIDDEN TESTS\nc = 3\n"
    assert markers.strip_hidden_tests(src) == "a = 1\nc = 3\n"
    assert markers.hidden_line_ranges(src) == [(2, 4)]


@pytest.mark.parametrize(
    "src, message",
    [
        ("### BEGIN SOLUTION\nx\n", "line 1: '### BEGIN SOLUTION' is never closed"),
        ("x\n### END SOLUTION\n", "line 2: '### END SOLUTION' without"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "line 2:"),
    ],
)
def test_unbalanced_markers_name_the_line(src, message):
    with pytest.raises(markers.MarkerError, match=message):
        markers.make_stub(src)
