import math

import numpy as np
import pytest

from course.grading.compare import assert_close
from course.grading.plain import NotPlainData, loads, roundtrip, to_plain


def test_roundtrip_keeps_arrays_numbers_and_structure():
    value = {"a": np.arange(6, dtype=np.int32).reshape(2, 3), "b": [1, 2.5, None, True, "x"], "c": (np.float64(1.5),)}
    got = roundtrip(value)
    assert got["a"].dtype == np.int32 and got["a"].shape == (2, 3)
    assert got["b"] == [1, 2.5, None, True, "x"]
    assert got["c"] == [1.5]


def test_nan_and_inf_survive():
    got = roundtrip([float("nan"), float("inf"), np.array([np.nan])])
    assert math.isnan(got[0]) and got[1] == math.inf and np.isnan(got[2][0])


def test_torch_tensors_become_arrays():
    torch = pytest.importorskip("torch")
    got = roundtrip(torch.arange(4, dtype=torch.float16))
    assert isinstance(got, np.ndarray) and got.dtype == np.float32


class Liar:
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("bad", [Liar(), {"k": Liar()}, {1: 2}, np.array([Liar()], dtype=object), [set()]])
def test_non_plain_values_are_refused(bad):
    with pytest.raises(NotPlainData):
        to_plain(bad)


def test_float_subclass_loses_its_tricks():
    class Weird(float):
        def __eq__(self, other):
            return True

    with pytest.raises(NotPlainData):
        to_plain(Weird(1.0))


def test_pickled_arrays_are_refused():
    import base64
    import io

    buf = io.BytesIO()
    np.save(buf, np.array([Liar()], dtype=object), allow_pickle=True)
    text = '{"__ndarray__": "%s"}' % base64.b64encode(buf.getvalue()).decode()
    with pytest.raises(ValueError):
        loads(text)


def test_assert_close_messages_teach_type_and_shape_first():
    with pytest.raises(AssertionError, match=r"expected shape \(2, 3\), got shape \(3, 2\)"):
        assert_close(np.zeros((3, 2)), np.zeros((2, 3)))
    with pytest.raises(AssertionError, match="expected float64 array of shape \\(2,\\), got str"):
        assert_close("nope", np.zeros(2))
    with pytest.raises(AssertionError, match=r"first at index \(1,\): expected 2, got 5"):
        assert_close([1, 5], np.array([1.0, 2.0]))
    with pytest.raises(AssertionError, match=r"missing keys \['b'\]"):
        assert_close({"a": 1}, {"a": 1, "b": 2})
    assert_close([1.0, float("nan")], np.array([1.0, np.nan]))
    assert_close(np.float64(2.0), 2)


def test_tuples_compare_like_lists_and_nan_mismatch_is_explained():
    assert_close((2, 3), [2, 3])
    assert_close([2, 3], (2, 3))
    with pytest.raises(AssertionError, match=r"expected 1, got nan \(rtol"):
        assert_close([float("nan")], [1.0])


def test_small_results_are_shown_whole_and_booleans_without_tolerances():
    with pytest.raises(AssertionError) as info:
        assert_close(np.array([[0.2, 3.0]]), np.array([[0.2, 4.0]]), name="pairs")
    assert "expected: [[0.2, 4. ]]" in str(info.value) and "got:      [[0.2, 3. ]]" in str(info.value)
    with pytest.raises(AssertionError) as info:
        assert_close(np.array([True, False]), np.array([True, True]))
    assert "rtol" not in str(info.value)


def test_hostile_data_raises_value_error_only():
    import base64
    import io

    with pytest.raises(ValueError):
        loads("[" * 200_000)
    buf = io.BytesIO()
    np.save(buf, np.array(["text"]))
    with pytest.raises(ValueError):
        loads('{"__ndarray__": "%s"}' % base64.b64encode(buf.getvalue()).decode())
    header = (b"\x93NUMPY\x01\x00"
              + b"v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000000,), }".ljust(118) + b"\n")
    with pytest.raises(ValueError):
        loads('{"__ndarray__": "%s"}' % base64.b64encode(header).decode())


def test_protocol_parser_ignores_hostile_lines():
    from course.grading.runner import _parse

    assert _parse(b"[" * 200_000) == {} and _parse(b"\xff\xfe") == {} and _parse(b"[1]") == {}


def _plain_pairs():
    """(got, expected) pairs near one another: equal, one leaf changed, a type swapped."""
    import numpy as np
    from hypothesis import strategies as st

    leaves = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, -0.0, 1.5, float("nan"),
                       float("inf")]), st.text(max_size=2),
                       st.builds(lambda xs, kind: np.array(xs, dtype=kind),
                                 st.lists(st.integers(0, 2), min_size=0, max_size=3),
                                 st.sampled_from(["f8", "i4", "?"])))
    values = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner, inner),
                                                          st.dictionaries(st.sampled_from("ab"), inner, max_size=2)),
                          max_leaves=6)

    def twist(value, how):
        if how == 0:
            return value
        if how == 1 and isinstance(value, bool):
            return int(value)
        if how == 2 and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value) if isinstance(value, int) else value + 1
        if how == 3 and isinstance(value, dict):
            return {**value, "extra": 1}
        if how == 4 and isinstance(value, np.ndarray):
            return value.astype("f8")
        if how == 5 and isinstance(value, list):
            return value[:-1]
        if isinstance(value, list):
            return [twist(v, how) for v in value]
        if isinstance(value, dict):
            return {k: twist(v, how) for k, v in value.items()}
        return value

    return st.builds(lambda v, how: (twist(v, how), v), values, st.integers(0, 5))


def test_the_exact_match_shortcut_never_passes_what_the_full_comparison_fails(monkeypatch):
    """A correct result is accepted by one C-speed comparison (grading a class, or judging on
    save, spends its time elsewhere); the shortcut must never accept what the teaching
    comparison rejects."""
    from hypothesis import given, settings

    from course.grading import compare

    full = compare.assert_close

    @settings(max_examples=600, deadline=None)
    @given(_plain_pairs())
    def check(pair):
        got, expected = pair
        if compare._exactly_equal(got, expected):
            with monkeypatch.context() as m:
                m.setattr(compare, "_exactly_equal", lambda *_: False)
                full(got, expected, rtol=0.0, atol=0.0)  # raises if the shortcut was wrong

    check()
    assert compare._exactly_equal({"a": [1.0, float("nan")], "b": None}, {"a": [1, float("nan")], "b": None})
    assert not compare._exactly_equal([True, 0], [True, False])  # a number is not a boolean
    assert not compare._exactly_equal({"a": 1}, {"a": 1, "b": 2})


def test_the_exact_match_shortcut_refuses_an_int_past_64_bits_for_a_float(monkeypatch):
    """[2**65] equals [2.0**65] exactly, but the full comparison turns that list into an array
    of objects and refuses it: the shortcut must not pass it either."""
    from course.grading import compare

    for got, expected in (([2**65], [2.0**65]), ([10**20, 1], [1e20, 1.0]), ([[2**64]], [[2.0**64]])):
        with monkeypatch.context() as m:
            m.setattr(compare, "_exactly_equal", lambda *_: False)
            with pytest.raises(AssertionError):
                compare.assert_close(got, expected)
        assert not compare._exactly_equal(got, expected)
        with pytest.raises(AssertionError):
            compare.assert_close(got, expected)
    assert compare._exactly_equal([2**62, 1], [2.0**62, 1.0])  # within 64 bits: an ordinary pass
    compare.assert_close(2**65, 2.0**65)  # alone, the long way accepts it


def test_a_hidden_failure_names_the_tests_whole_first_paragraph_and_no_value():
    from course.grading.feedback import hidden_failure

    doc = "Curves on seeded scores: all tied, one\n    sample, pos_label=0.\n\nDetails the student never sees."
    shown = hidden_failure(doc, [1.0, 2.0], [1.0, 2.5], compared=True)
    assert shown.splitlines()[0] == "hidden test failed: Curves on seeded scores: all tied, one sample, pos_label=0."
    assert "2.5" not in shown and "Details" not in shown
