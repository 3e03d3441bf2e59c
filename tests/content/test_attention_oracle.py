"""Project tests for the lab ``attention``: the reference against torch's own implementations.

The graded tests compare a student's code with the reference, so the reference itself must be
right. These tests check it against test-only oracles from torch:
``torch.nn.functional.scaled_dot_product_attention`` (boolean and float masks, ``is_causal``,
fully masked rows, ``scale``), ``torch.nn.attention.bias.causal_lower_right`` /
``causal_upper_left`` (both causal alignments) and ``torch.nn.MultiheadAttention`` (outputs,
head-averaged and per-head weights, key padding), plus ``torch.autograd.gradcheck`` and
hypothesis properties.

They also check what a graded test cannot see: importing the lab does not import torch or
matplotlib, lab.toml points equal the test points, planted bugs name real tests, the lesson
lists the tasks and exactly the lab's cards, the figures are made and committed, and the
library behaviour the lesson states (mask polarities, NaN vs zeros on fully masked rows,
imshow's origin, Var(q.k) = d_k, the saturation example).
"""

from __future__ import annotations

import ast
import math
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
LAB = REPO / "labs" / "attention"


from conftest import load_module as _load  # noqa: E402

att = _load(LAB / "attention.py", "attention_reference_under_test")


@pytest.fixture(autouse=True)
def _one_thread():
    """Bitwise-sensitive comparisons: pin intra-op threads."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def _qkv(shape_q, S, Dv, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    *lead, L, D = shape_q
    q = torch.randn(*lead, L, D, generator=g, dtype=dtype)
    k = torch.randn(*lead, S, D, generator=g, dtype=dtype)
    v = torch.randn(*lead, S, Dv, generator=g, dtype=dtype)
    return q, k, v


# ---------------------------------------------------------------------------------------------
# Task 1 against F.scaled_dot_product_attention
# ---------------------------------------------------------------------------------------------
SHAPES = [((2, 3, 5, 4), 8, 6), ((3, 2, 8, 5), 3, 2), ((5, 3), 8, 2), ((2, 1, 8, 2), 8, 3)]


@pytest.mark.parametrize("shape_q,S,Dv", SHAPES)
@pytest.mark.parametrize("scale", [None, 0.3])
def test_matches_sdpa_without_mask(shape_q, S, Dv, scale):
    q, k, v = _qkv(shape_q, S, Dv)
    out, w = att.attention(q, k, v, scale=scale)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, scale=scale), rtol=1e-12, atol=1e-12)
    assert w.shape == (*shape_q[:-1], S)


@pytest.mark.parametrize("shape_q,S,Dv", SHAPES)
def test_matches_sdpa_bool_mask_with_fully_masked_rows(shape_q, S, Dv):
    q, k, v = _qkv(shape_q, S, Dv, seed=1)
    g = torch.Generator().manual_seed(2)
    L = shape_q[-2]
    keep = torch.rand(L, S, generator=g) > 0.5
    keep[0] = False  # a fully masked row: torch 2.13's SDPA returns zeros there
    out, w = att.attention(q, k, v, mask=keep)
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    assert torch.all(w[..., 0, :] == 0) and torch.isfinite(w).all()


@pytest.mark.parametrize("shape_q,S,Dv", SHAPES)
def test_matches_sdpa_float_mask(shape_q, S, Dv):
    q, k, v = _qkv(shape_q, S, Dv, seed=3)
    g = torch.Generator().manual_seed(4)
    bias = torch.randn(shape_q[-2], S, generator=g, dtype=torch.float64)
    bias[:, 0] = float("-inf")
    out, _ = att.attention(q, k, v, mask=bias)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=bias), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape_q,S,Dv", SHAPES)
def test_matches_sdpa_is_causal_top_left(shape_q, S, Dv):
    q, k, v = _qkv(shape_q, S, Dv, seed=5)
    out, w = att.attention(q, k, v, is_causal=True)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, is_causal=True), rtol=1e-12, atol=1e-12)
    L = shape_q[-2]
    assert torch.all(w[..., torch.ones(L, S, dtype=torch.bool).triu(1)] == 0)


def test_causal_combines_with_mask():
    q, k, v = _qkv((2, 3, 5, 4), 8, 6, seed=6)
    keep = torch.rand(2, 1, 5, 8, generator=torch.Generator().manual_seed(7)) > 0.3
    both = keep & torch.ones(5, 8, dtype=torch.bool).tril()
    out, _ = att.attention(q, k, v, mask=keep, is_causal=True)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=both), rtol=1e-12, atol=1e-12)


def test_float32_close_to_sdpa():
    q, k, v = _qkv((2, 3, 5, 8), 8, 5, dtype=torch.float32, seed=8)
    out, _ = att.attention(q, k, v, is_causal=True)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, is_causal=True))  # float32 defaults


def test_gradcheck_including_a_fully_masked_row():
    q, k, v = (t.requires_grad_() for t in _qkv((2, 3, 2), 5, 3, seed=9))
    keep = torch.tensor([[True, False, True, True, False], [False] * 5, [True, True, False, False, False]])
    assert torch.autograd.gradcheck(lambda a, b, c: att.attention(a, b, c, mask=keep)[0], (q, k, v))
    out, _ = att.attention(q, k, v, mask=keep)
    out.sum().backward()
    assert all(torch.isfinite(t.grad).all() for t in (q, k, v))


@settings(max_examples=30, deadline=None)
@given(
    B=st.integers(1, 3), L=st.integers(1, 6), S=st.integers(1, 6), D=st.integers(1, 5),
    causal=st.booleans(), seed=st.integers(0, 2**16),
)
def test_properties_hold_on_random_shapes(B, L, S, D, causal, seed):
    q, k, v = _qkv((B, L, D), S, 2, seed=seed)
    keep = torch.rand(B, L, S, generator=torch.Generator().manual_seed(seed)) > 0.3
    out, w = att.attention(q, k, v, mask=keep, is_causal=causal)
    assert torch.isfinite(out).all()
    # The reference's own map check accepts every map the reference makes (tasks 1 and 4 agree).
    assert att.check_attention_map(w, keep=keep, causal=causal) == {
        "nonnegative": True, "rows_sum_to_one": True, "masked_zero": True, "lower_triangular": True,
    }
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, is_causal=False) if not causal else None
    if ref is not None:
        torch.testing.assert_close(out, ref, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# Task 2 against torch.nn.attention.bias
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("L,S", [(3, 5), (5, 3), (8, 8), (1, 8), (8, 1), (2, 5)])
def test_causal_masks_match_torch_bias(L, S):
    import warnings

    from torch.nn.attention.bias import causal_lower_right, causal_upper_left

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that lower-right with L > S has empty rows
        assert torch.equal(att.causal_mask(L, S, "top-left"), causal_upper_left(L, S)._materialize())
        assert torch.equal(att.causal_mask(L, S, "bottom-right"), causal_lower_right(L, S)._materialize())
    assert att.causal_mask(L, S).dtype == torch.bool


def test_causal_mask_rejects_unknown_alignment():
    with pytest.raises(ValueError):
        att.causal_mask(3, 5, align="lower-right")


def test_padding_mask_matches_torch_key_padding_convention():
    lengths = [3, 8, 1]
    keep = att.padding_mask(lengths, 8)
    assert keep.shape == (3, 8) and keep.dtype == torch.bool
    assert keep.sum(dim=1).tolist() == lengths


# ---------------------------------------------------------------------------------------------
# Task 3 against nn.MultiheadAttention
# ---------------------------------------------------------------------------------------------
def _mha(E, H, seed, dtype=torch.float64):
    torch.manual_seed(seed)
    mha = torch.nn.MultiheadAttention(E, H, batch_first=True, dtype=dtype)
    with torch.no_grad():
        for p in mha.parameters():
            p.copy_(0.5 * torch.randn_like(p))
    return mha.eval(), {n: t.detach() for n, t in mha.state_dict().items()}


@pytest.mark.parametrize("E,H,B,L,S", [(8, 2, 2, 3, 5), (6, 3, 3, 5, 8), (8, 8, 2, 5, 3), (4, 1, 1, 8, 2)])
@pytest.mark.parametrize("padded", [False, True])
def test_mha_matches_torch(E, H, B, L, S, padded):
    mha, params = _mha(E, H, seed=E * 10 + H)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(B, L, E, generator=g, dtype=torch.float64)
    y = torch.randn(B, S, E, generator=g, dtype=torch.float64)
    z = torch.randn(B, S, E, generator=g, dtype=torch.float64)
    pad = None
    if padded:  # every sequence keeps at least one key: torch gives NaN for fully padded ones
        lengths = torch.randint(1, S + 1, (B,), generator=g)
        pad = torch.arange(S)[None, :] >= lengths[:, None]
    with torch.no_grad():
        for average in (True, False):
            ref_out, ref_w = mha(x, y, z, key_padding_mask=pad, average_attn_weights=average)
            out, w = att.multi_head_attention(x, y, z, params, H, key_padding_mask=pad, average_weights=average)
            torch.testing.assert_close(out, ref_out, rtol=1e-10, atol=1e-12)
            torch.testing.assert_close(w, ref_w, rtol=1e-10, atol=1e-12)


def test_mha_float32_and_self_attention():
    mha, params = _mha(8, 2, seed=3, dtype=torch.float32)
    x = torch.randn(2, 5, 8, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        ref_out, ref_w = mha(x, x, x)
        out, w = att.multi_head_attention(x, x, x, params, 2)
    torch.testing.assert_close(out, ref_out)
    torch.testing.assert_close(w, ref_w)


def test_mha_fully_padded_sequence_is_bias_not_nan():
    """The lesson's documented difference: torch gives NaN, the lab gives zero attention."""
    mha, params = _mha(8, 2, seed=4)
    x = torch.randn(2, 3, 8, dtype=torch.float64)
    pad = torch.tensor([[False] * 5, [True] * 5])
    with torch.no_grad():
        ref_out, _ = mha(x, x.new_zeros(2, 5, 8) + 1, x.new_zeros(2, 5, 8) + 1, key_padding_mask=pad)
        out, w = att.multi_head_attention(x, x.new_ones(2, 5, 8), x.new_ones(2, 5, 8), params, 2, key_padding_mask=pad)
    assert torch.isnan(ref_out[1]).all()
    torch.testing.assert_close(out[1], params["out_proj.bias"].expand(3, 8))
    assert torch.all(w[1] == 0)
    torch.testing.assert_close(out[0], ref_out[0], rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# Tasks 4 and 5
# ---------------------------------------------------------------------------------------------
def test_check_flags_every_wrong_map_kind():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(3, 5))
    good = att.check_attention_map(torch.softmax(torch.tensor(scores), -1))
    assert all(good.values())
    assert not att.check_attention_map(torch.softmax(torch.tensor(scores), 0))["rows_sum_to_one"]
    triu = torch.softmax(torch.tensor(scores).masked_fill(~torch.ones(3, 5, dtype=torch.bool).triu(), -math.inf), -1)
    assert not att.check_attention_map(triu, causal=True)["lower_triangular"]
    keep = torch.tensor(rng.random((3, 5)) > 0.5)
    keep[:, 0], keep[:, 1] = True, False  # every row keeps a key and blocks a key
    flipped = torch.softmax(torch.tensor(scores).masked_fill(keep, -math.inf), -1)
    assert not att.check_attention_map(flipped, keep=keep)["masked_zero"]
    assert att.check_attention_map(flipped, keep=~keep) == good


def test_plot_returns_the_drawn_array_and_make_figures(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    w = torch.softmax(torch.randn(3, 5, dtype=torch.float64), -1)
    fig, ax = plt.subplots()
    drawn = att.plot_attention(w, ax=ax)
    image = ax.get_images()[0]
    assert np.array_equal(np.asarray(image.get_array()), w.numpy()) and np.array_equal(drawn, w.numpy())
    assert image.get_clim() == (0.0, 1.0) and image.origin == "upper"
    plt.close(fig)
    with pytest.raises(ValueError):
        att.plot_attention(torch.zeros(2, 3, 5))
    paths = att.make_figures(tmp_path)
    names = sorted(p.name for p in paths)
    assert names == ["attention-causal.png", "attention-heads.png", "attention-minus1e9.png", "attention-padded.png"]
    for name in names:  # the committed card images are the ones make_figures draws
        assert (REPO / "cards" / "images" / name).is_file()
        assert (REPO / "cards" / "images" / name).stat().st_size < 60_000


# ---------------------------------------------------------------------------------------------
# Library facts the lesson and the cards state
# ---------------------------------------------------------------------------------------------
def test_library_facts_stated_in_the_lesson():
    import inspect

    import matplotlib

    q, k, v = _qkv((1, 3, 4), 3, 2, seed=11)
    keep = torch.tensor([[True, False, True], [False, False, False], [True, True, True]])
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    assert torch.all(out[0, 1] == 0)  # SDPA: True = keep; a fully masked row gives zeros
    scores = (q @ k.mT).masked_fill(~keep, -math.inf)
    assert torch.isnan(torch.softmax(scores, -1)[0, 1]).all()  # plain softmax: NaN
    uniform = torch.softmax((q @ k.mT).masked_fill(~keep, -1e9), -1)[0, 1]
    torch.testing.assert_close(uniform, torch.full((3,), 1 / 3, dtype=torch.float64))  # -1e9: uniform
    sig = inspect.signature(torch.nn.MultiheadAttention.forward).parameters
    assert sig["need_weights"].default is True and sig["average_attn_weights"].default is True
    mha = torch.nn.MultiheadAttention(4, 1, batch_first=True).eval()
    x = torch.randn(1, 3, 4)
    blocked = torch.zeros(3, 3, dtype=torch.bool)
    blocked[:, 2] = True
    _, w = mha(x, x, x, attn_mask=blocked)
    assert torch.all(w[..., 2] == 0)  # MHA boolean attn_mask: True = not allowed
    assert mha.in_proj_weight.shape == (12, 4)
    assert matplotlib.rcParams["image.origin"] == "upper"


def test_scaling_claims_of_the_lesson():
    g = torch.Generator().manual_seed(0)
    for d in (4, 64, 512):
        s = (torch.randn(20000, d, generator=g) * torch.randn(20000, d, generator=g)).sum(-1)
        assert abs(s.var().item() / d - 1) < 0.05  # Var(q.k) = d_k
    torch.manual_seed(0)
    q, K = torch.randn(512), torch.randn(8, 512)
    assert torch.softmax(K @ q, -1).max().item() > 0.999
    assert abs(torch.softmax(K @ q / math.sqrt(512), -1).max().item() - 0.41) < 0.005


# ---------------------------------------------------------------------------------------------
# Lab structure
# ---------------------------------------------------------------------------------------------
def test_importing_the_lab_is_light():
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('attention', {str(LAB / 'attention.py')!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "print('torch' in sys.modules, 'matplotlib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def _graded_tests():
    tree = ast.parse((LAB / "test_attention.py").read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                if isinstance(deco, ast.Call) and getattr(deco.func, "id", "") == "graded":
                    kw = {k.arg: ast.literal_eval(k.value) for k in deco.keywords if k.arg in ("task", "points")}
                    found[node.name] = (kw["task"], kw["points"])
    return found


def test_points_and_bugs_are_consistent():
    tests = _graded_tests()
    toml = tomllib.loads((LAB / "lab.toml").read_text(encoding="utf-8"))
    for task in toml["task"]:
        assert sum(p for t, p in tests.values() if t == task["number"]) == task["points"], task["title"]
    assert {t for t, _ in tests.values()} == {task["number"] for task in toml["task"]}
    for bug in sorted((LAB / "bugs").glob("*.py")):
        tree = ast.parse(bug.read_text(encoding="utf-8"))
        caught = [ast.literal_eval(n.value) for n in tree.body
                  if isinstance(n, ast.Assign) and n.targets[0].id == "CAUGHT_BY"]
        assert caught and set(caught[0]) <= set(tests), bug.name
        assert ast.get_docstring(tree), bug.name


def test_lesson_lists_tasks_and_exactly_the_lab_cards():
    lesson = (LAB / "README.md").read_text(encoding="utf-8")
    toml = tomllib.loads((LAB / "lab.toml").read_text(encoding="utf-8"))
    for task in toml["task"]:
        assert f"### Task {task['number']}: {task['title']}" in lesson
    listed = re.findall(r"^- `([a-z0-9-]+)`$", lesson.split("## Cards", 1)[1], flags=re.M)
    cards = re.findall(r"^## (attention-[a-z0-9-]+)$", (REPO / "cards" / "attention.md").read_text(encoding="utf-8"),
                       flags=re.M)
    assert sorted(listed) == sorted(cards) and len(cards) >= 10
