"""Graded tests of the attention lab.

Each test is a probe: it calls your ``attention.py`` on fixed, seeded inputs and returns plain
data; the check judges that data. Shapes use distinct sizes (B=2, H=3, L=3 or 5, S=5 or 8) so
that a transposed or reshaped axis cannot pass by accident. Run ``pytest test_attention.py``.
"""

import math

import numpy as np

from course.testing import REFERENCE, assert_close, graded, oracle

LN2, LN3, LN5 = math.log(2.0), math.log(3.0), math.log(5.0)


def _softmax(x, axis=-1):
    """A plain numpy softmax (test helper: builds right and wrong maps for task 4)."""
    with np.errstate(invalid="ignore"):  # an all -inf row gives NaN; callers that need it zero it
        x = x - np.max(x, axis=axis, keepdims=True)
        e = np.exp(x)
        return e / e.sum(axis=axis, keepdims=True)


def _rows_sum_to_one(weights, name="attention weights"):
    w = np.asarray(weights)
    assert_close(w.sum(axis=-1), np.ones(w.shape[:-1]), rtol=0, atol=1e-6, name=f"{name}: row sums (softmax over keys)")


# =============================================================================================
# Task 1: scaled dot-product attention
# =============================================================================================

# Keys e0 = 0, e1, e2 in D = 4 dimensions, so q . k reads off one coordinate of q. With the
# scale 1/sqrt(4) = 1/2: query 0 = (2 ln 2) e1 has scores (0, ln 2, 0) -> weights (1, 2, 1)/4;
# query 1 = (2 ln 3) e2 + e4 has scores (0, 0, ln 3) -> weights (1, 1, 3)/5.
_HAND_V = [[1.0, 2.0, 3.0, 4.0, 5.0], [0.0, 4.0, 8.0, -4.0, 0.0], [10.0, 0.0, -5.0, 1.0, 2.0]]


@graded(
    task=1,
    points=3,
    expect={
        "weights": [[0.25, 0.5, 0.25], [0.2, 0.2, 0.6]],
        "output": [[2.75, 2.5, 3.5, -0.75, 1.75], [6.2, 1.2, -0.8, 0.6, 2.2]],
    },
    rtol=1e-9,
    atol=1e-12,
)
def test_attention_hand(lab):
    """L=2 queries, S=3 keys, D=4, Dv=5: weights softmax(q k^T / sqrt(4)), output weights @ v."""
    import torch

    q = torch.tensor([[2 * LN2, 0.0, 0.0, 0.0], [0.0, 2 * LN3, 0.0, 1.0]], dtype=torch.float64)
    k = torch.tensor([[0.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]], dtype=torch.float64)
    v = torch.tensor(_HAND_V, dtype=torch.float64)
    out, w = lab.attention(q, k, v)
    return {"weights": w, "output": out}


def _check_shapes_and_rows(got):
    assert got["output_shape"] == [2, 3, 5, 6], (
        f"output shape: expected (B, H, L, Dv) = [2, 3, 5, 6], got {got['output_shape']}"
    )
    assert got["weights_shape"] == [2, 3, 5, 8], (
        f"weights shape: expected (B, H, L, S) = [2, 3, 5, 8] (one row per query), got {got['weights_shape']}"
    )
    _rows_sum_to_one(got["weights"])
    assert (np.asarray(got["weights"]) >= 0).all(), "attention weights: expected all >= 0 (a softmax), got negatives"


@graded(task=1, points=2, check=_check_shapes_and_rows)
def test_attention_shapes_and_rows(lab):
    """B=2, H=3, L=5, S=8, D=4, Dv=6: output (B, H, L, Dv), weights (B, H, L, S), rows sum to 1."""
    import torch

    g = torch.Generator().manual_seed(1)
    q = torch.randn(2, 3, 5, 4, generator=g)
    k = torch.randn(2, 3, 8, 4, generator=g)
    v = torch.randn(2, 3, 8, 6, generator=g)
    out, w = lab.attention(q, k, v)
    return {"output_shape": list(out.shape), "weights_shape": list(w.shape), "weights": w}


# Keep-mask (L=3, S=5), True = keep; every row keeps some keys and blocks others.
_KEEP = [
    [True, False, True, True, False],
    [False, True, True, False, True],
    [True, True, False, False, False],
]


def _check_bool_mask(got):
    w = np.asarray(got)
    keep = np.broadcast_to(np.array(_KEEP), w.shape)
    blocked = w[~keep]
    assert np.all(blocked == 0.0), (
        f"blocked keys (mask False) must get weight exactly 0; got max {np.abs(blocked).max():.4g}. "
        "Boolean masks follow F.scaled_dot_product_attention: True = keep."
    )
    _rows_sum_to_one(w, "masked attention weights")


@graded(task=1, points=2, check=_check_bool_mask)
def test_bool_mask_keeps_true(lab):
    """A boolean mask (3, 5) broadcast over B=2: False keys get weight 0, each row still sums to 1."""
    import torch

    g = torch.Generator().manual_seed(2)
    q = torch.randn(2, 3, 4, generator=g, dtype=torch.float64)
    k = torch.randn(2, 5, 4, generator=g, dtype=torch.float64)
    v = torch.randn(2, 5, 2, generator=g, dtype=torch.float64)
    _, w = lab.attention(q, k, v, mask=torch.tensor(_KEEP))
    return w


def _check_fully_masked(got):
    w, out = np.asarray(got["weights"]), np.asarray(got["output"])
    assert np.isfinite(w).all() and np.isfinite(out).all(), (
        "a fully masked row must not produce NaN (softmax of all -inf is 0/0): expected zeros, got NaN"
    )
    assert_close(w[:, 1], np.zeros_like(w[:, 1]), rtol=0, atol=0, name="weights of the fully masked query row 1")
    assert_close(out[:, 1], np.zeros_like(out[:, 1]), rtol=0, atol=0, name="output of the fully masked query row 1")
    _rows_sum_to_one(w[:, [0, 2]], "weights of the other rows")


@graded(task=1, points=2, check=_check_fully_masked)
def test_fully_masked_row_is_zero(lab):
    """Query 1 may see no key: its weights and output are zeros (no NaN, not a uniform row)."""
    import torch

    g = torch.Generator().manual_seed(3)
    q = torch.randn(2, 3, 4, generator=g, dtype=torch.float64)
    k = torch.randn(2, 5, 4, generator=g, dtype=torch.float64)
    v = torch.randn(2, 5, 2, generator=g, dtype=torch.float64)
    keep = torch.tensor(_KEEP)
    keep[1] = False
    out, w = lab.attention(q, k, v, mask=keep)
    return {"weights": w, "output": out}


_FLOAT_W = [1 / 9, 2 / 9, 5 / 9, 0.0, 1 / 9]


@graded(task=1, points=1, expect={"weights": [_FLOAT_W] * 3, "output": [_FLOAT_W] * 3}, rtol=1e-9, atol=1e-12)
def test_float_mask_is_added(lab):
    """q = 0 makes every score 0, so the weights are softmax(mask) = (1, 2, 5, 0, 1)/9; v = I."""
    import torch

    g = torch.Generator().manual_seed(4)
    q = torch.zeros(3, 2, dtype=torch.float64)
    k = torch.randn(5, 2, generator=g, dtype=torch.float64)
    v = torch.eye(5, dtype=torch.float64)
    bias = torch.tensor([[0.0, LN2, LN5, float("-inf"), 0.0]], dtype=torch.float64)
    out, w = lab.attention(q, k, v, mask=bias)
    return {"weights": w, "output": out}


_CAUSAL_W = [[1, 0, 0, 0, 0], [1 / 2, 1 / 2, 0, 0, 0], [1 / 3, 1 / 3, 1 / 3, 0, 0]]


@graded(task=1, points=2, expect={"weights": _CAUSAL_W, "output": _CAUSAL_W}, rtol=1e-9, atol=1e-12)
def test_causal_hand(lab):
    """is_causal with L=3, S=5 (top-left): q = 0, so query i spreads evenly over keys 0..i; v = I."""
    import torch

    g = torch.Generator().manual_seed(5)
    q = torch.zeros(3, 2, dtype=torch.float64)
    k = torch.randn(5, 2, generator=g, dtype=torch.float64)
    v = torch.eye(5, dtype=torch.float64)
    out, w = lab.attention(q, k, v, is_causal=True)
    return {"weights": w, "output": out}


def _sdpa_inputs():
    """The seeded float64 inputs of test_matches_torch_sdpa: built the same way in the probe and the check."""
    import torch

    g = torch.Generator().manual_seed(12)
    q = torch.randn(2, 3, 5, 4, generator=g, dtype=torch.float64)
    k = torch.randn(2, 3, 8, 4, generator=g, dtype=torch.float64)
    v = torch.randn(2, 3, 8, 6, generator=g, dtype=torch.float64)
    keep = torch.rand(2, 1, 5, 8, generator=g) > 0.4
    keep[1, 0, 3] = False  # a fully masked query row: torch 2.13 returns zeros there
    bias = torch.randn(5, 8, generator=g, dtype=torch.float64)
    return q, k, v, keep, bias


def _sdpa_cases(keep, bias):
    """Case name -> (keyword arguments of lab.attention, those of F.scaled_dot_product_attention)."""
    return {
        "no mask": ({}, {}),
        "bool keep-mask": ({"mask": keep}, {"attn_mask": keep}),
        "float mask": ({"mask": bias}, {"attn_mask": bias}),
        "is_causal": ({"is_causal": True}, {"is_causal": True}),
    }


def _sdpa_expected():
    """F.scaled_dot_product_attention per case on the seeded inputs (an oracle: the grader computes it once)."""
    import torch
    import torch.nn.functional as F

    q, k, v, keep, bias = _sdpa_inputs()
    with torch.no_grad():
        return {case: F.scaled_dot_product_attention(q, k, v, **torch_kwargs).numpy()
                for case, (_, torch_kwargs) in _sdpa_cases(keep, bias).items()}


_SDPA = oracle(_sdpa_expected)


def _check_against_sdpa(got):
    # torch's result is computed in the grader, on the same seeded inputs: never next to your code.
    assert isinstance(got, dict), f"expected a dict of outputs per case, got {type(got).__name__}"
    for case, expected in _SDPA().items():
        assert case in got, f"case '{case}': no output (got cases {sorted(got)})"
        assert_close(
            got[case], expected, rtol=1e-9, atol=1e-12,
            name=f"case '{case}': output vs F.scaled_dot_product_attention",
        )


@graded(task=1, points=2, check=_check_against_sdpa)
def test_matches_torch_sdpa(lab):
    """B=2, H=3, L=5, S=8, D=4, Dv=6 in float64: same output as F.scaled_dot_product_attention."""
    q, k, v, keep, bias = _sdpa_inputs()
    return {case: lab.attention(q, k, v, **kwargs)[0] for case, (kwargs, _) in _sdpa_cases(keep, bias).items()}


def _permutation_inputs():
    """Seeded q, k, v and the two permutations: the check rebuilds perm_q itself, it does not take it back."""
    import torch

    g = torch.Generator().manual_seed(6)
    q = torch.randn(2, 5, 3, generator=g, dtype=torch.float64)
    k = torch.randn(2, 8, 3, generator=g, dtype=torch.float64)
    v = torch.randn(2, 8, 2, generator=g, dtype=torch.float64)
    perm_q = torch.randperm(5, generator=g)
    perm_s = torch.randperm(8, generator=g)
    return q, k, v, perm_q, perm_s


def _perm_q():
    return _permutation_inputs()[3]


_PERM_Q = oracle(_perm_q)


def _check_permutation(got):
    out = np.asarray(got["output"])
    perm_q = _PERM_Q()
    assert_close(
        got["output_queries_permuted"], out[:, perm_q], rtol=1e-10, atol=1e-12,
        name="permuting the queries must permute the output rows the same way",
    )
    assert_close(
        got["output_keys_permuted"], out, rtol=1e-10, atol=1e-12,
        name="permuting keys and values together must not change the output",
    )


@graded(task=1, points=1, check=_check_permutation)
def test_permutation_equivariance(lab):
    """Without masks or positions, attention is equivariant in the queries, invariant in key/value pairs."""
    q, k, v, perm_q, perm_s = _permutation_inputs()
    out, _ = lab.attention(q, k, v)
    out_q, _ = lab.attention(q[:, perm_q], k, v)
    out_s, _ = lab.attention(q, k[:, perm_s], v[:, perm_s])
    return {"output": out, "output_queries_permuted": out_q, "output_keys_permuted": out_s}


@graded(task=1, points=1, expect={"q": True, "k": True, "v": True, "bool mask": True, "float mask": True})
def test_inputs_not_changed(lab):
    """attention must not change its arguments in place (no q *= scale, no mask.logical_not_())."""
    import torch

    g = torch.Generator().manual_seed(40)
    q, k, v = (torch.randn(2, 3, 4, generator=g, dtype=torch.float64) for _ in range(3))
    keep = torch.tensor([[True, False, True], [False, False, False], [True, True, True]])
    bias = torch.tensor([[0.0, -1.0, float("-inf")]] * 3, dtype=torch.float64)
    before = [t.clone() for t in (q, k, v, keep, bias)]
    lab.attention(q, k, v, mask=keep, is_causal=True, scale=0.3)
    lab.attention(q, k, v, mask=bias)
    return {
        name: bool(torch.equal(a, b))
        for name, a, b in zip(("q", "k", "v", "bool mask", "float mask"), (q, k, v, keep, bias), before)
    }


### BEGIN HIDDEN TESTS
@graded(task=1, points=2, expect=REFERENCE, rtol=1e-9, atol=1e-12)
def test_attention_random_cases(lab):
    """B=2, H=3, L=5, S=8, D=4, Dv=6 in float64: no mask, bool mask, float mask, causal, both."""
    import torch

    g = torch.Generator().manual_seed(7)
    q = torch.randn(2, 3, 5, 4, generator=g, dtype=torch.float64)
    k = torch.randn(2, 3, 8, 4, generator=g, dtype=torch.float64)
    v = torch.randn(2, 3, 8, 6, generator=g, dtype=torch.float64)
    keep = torch.rand(2, 1, 5, 8, generator=g) > 0.4
    keep[0, 0, 2] = False  # one fully masked query row
    bias = torch.randn(5, 8, generator=g, dtype=torch.float64)
    cases = {
        "plain": lab.attention(q, k, v),
        "bool": lab.attention(q, k, v, mask=keep),
        "float": lab.attention(q, k, v, mask=bias),
        "causal": lab.attention(q, k, v, is_causal=True),
        "causal_and_bool": lab.attention(q, k, v, mask=keep, is_causal=True),
        "scale": lab.attention(q, k, v, scale=0.3),
    }
    return {name: {"output": o, "weights": w} for name, (o, w) in cases.items()}


def _check_padding_invariance(got):
    for b, (short, padded) in enumerate(zip(got["unpadded"], got["padded"])):
        assert_close(padded, short, rtol=1e-10, atol=1e-12, name=f"sequence {b}: output with masked padding keys")


@graded(task=1, points=1, check=_check_padding_invariance)
def test_padded_keys_do_not_change_output(lab):
    """Appending masked garbage keys (large values) must leave every output exactly as before."""
    import torch

    g = torch.Generator().manual_seed(8)
    lengths, S = [5, 3], 8
    q = torch.randn(2, 3, 4, generator=g, dtype=torch.float64)
    k = torch.randn(2, S, 4, generator=g, dtype=torch.float64)
    v = torch.randn(2, S, 2, generator=g, dtype=torch.float64)
    for b, n in enumerate(lengths):  # garbage in the padding slots
        k[b, n:] = 1e3
        v[b, n:] = -1e3
    keep = torch.arange(S)[None, None, :] < torch.tensor(lengths)[:, None, None]  # (B, 1, S)
    out, _ = lab.attention(q, k, v, mask=keep)
    unpadded = [lab.attention(q[b], k[b, :n], v[b, :n])[0] for b, n in enumerate(lengths)]
    return {"unpadded": unpadded, "padded": [out[b] for b in range(2)]}


_GRAD_EPS, _GRAD_RTOL, _GRAD_ATOL = 1e-6, 1e-3, 1e-5  # torch.autograd.gradcheck's defaults


def _check_gradients(got, ref):
    # gradcheck, done here in the grader on your raw outputs: central differences of your forward pass
    # (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) against the Jacobian your backward pass gave.
    plus, minus = np.asarray(got["plus"], dtype=float), np.asarray(got["minus"], dtype=float)
    numerical = ((plus - minus) / (2 * _GRAD_EPS)).T  # (outputs, inputs), like the analytical Jacobian
    try:
        assert_close(got["jacobian"], numerical, rtol=_GRAD_RTOL, atol=_GRAD_ATOL,
                     name="Jacobian of the output from backward vs finite differences")
    except AssertionError as exc:
        raise AssertionError(
            f"torch.autograd.gradcheck-style check failed in float64: the gradients are not those of the output. {exc}"
        ) from None
    for name in ("q", "k", "v"):
        assert_close(got["grads"][name], ref["grads"][name], rtol=1e-8, atol=1e-10, name=f"gradient w.r.t. {name}")


@graded(task=1, points=1, check=_check_gradients)
def test_gradcheck_float64(lab):
    """gradcheck on a tiny float64 input (B=2, L=3, S=5, D=2) with a keep-mask and is_causal."""
    import torch

    g = torch.Generator().manual_seed(9)
    q = torch.randn(2, 3, 2, generator=g, dtype=torch.float64, requires_grad=True)
    k = torch.randn(2, 5, 2, generator=g, dtype=torch.float64, requires_grad=True)
    v = torch.randn(2, 5, 3, generator=g, dtype=torch.float64, requires_grad=True)
    keep = torch.tensor(_KEEP)
    inputs = (q, k, v)

    def f(a, b, c):
        return lab.attention(a, b, c, mask=keep, is_causal=True)[0]

    # Raw material for the check: your output at each input entry nudged by +-eps ...
    plus, minus = [], []
    with torch.no_grad():
        for which, t in enumerate(inputs):
            for i in range(t.numel()):
                for sign, rows in ((1.0, plus), (-1.0, minus)):
                    nudged = [x.detach().clone() for x in inputs]
                    nudged[which].view(-1)[i] += sign * _GRAD_EPS
                    rows.append(f(*nudged).reshape(-1).clone())
    # ... and the Jacobian your backward pass gives, one output entry at a time.
    out = f(q, k, v).reshape(-1)
    jacobian = []
    for j in range(out.numel()):
        grads = torch.autograd.grad(out[j], inputs, retain_graph=True, allow_unused=True)
        jacobian.append(torch.cat([
            (gr if gr is not None else torch.zeros_like(x)).reshape(-1) for gr, x in zip(grads, inputs)
        ]))
    out, _ = lab.attention(q, k, v, mask=keep, is_causal=True)
    (out * torch.linspace(-1, 1, out.numel(), dtype=torch.float64).reshape(out.shape)).sum().backward()
    return {
        "plus": torch.stack(plus), "minus": torch.stack(minus), "jacobian": torch.stack(jacobian).detach(),
        "grads": {"q": q.grad, "k": k.grad, "v": v.grad},
    }
### END HIDDEN TESTS


# =============================================================================================
# Task 2: mask builders
# =============================================================================================
@graded(
    task=2,
    points=1,
    expect=[[True, False, False, False, False], [True, True, False, False, False], [True, True, True, False, False]],
)
def test_causal_mask_top_left(lab):
    """causal_mask(3, 5): query i keeps keys j <= i (True = keep), shape (L, S)."""
    return lab.causal_mask(3, 5)


@graded(
    task=2,
    points=2,
    expect={
        "L3_S5": [[True, True, True, False, False], [True, True, True, True, False], [True, True, True, True, True]],
        "L5_S3": [
            [False, False, False],
            [False, False, False],
            [True, False, False],
            [True, True, False],
            [True, True, True],
        ],
    },
)
def test_causal_mask_bottom_right(lab):
    """Bottom-right alignment keeps j <= i + (S - L): the last query sees every key."""
    return {"L3_S5": lab.causal_mask(3, 5, align="bottom-right"), "L5_S3": lab.causal_mask(5, 3, align="bottom-right")}


@graded(
    task=2,
    points=1,
    expect=[[True, True, False, False, False], [True, True, True, True, True], [True, True, True, False, False]],
)
def test_padding_mask(lab):
    """padding_mask([2, 5, 3], S=5): True marks the real tokens at the start of each sequence."""
    return lab.padding_mask([2, 5, 3], 5)


### BEGIN HIDDEN TESTS
@graded(task=2, points=1, expect=REFERENCE)
def test_causal_mask_more_shapes(lab):
    """Square, wide, tall and single-query masks in both alignments."""
    shapes = [(5, 5), (2, 8), (8, 2), (1, 5)]
    return {
        f"{align}_{L}x{S}": lab.causal_mask(L, S, align=align)
        for align in ("top-left", "bottom-right")
        for L, S in shapes
    }


@graded(task=2, points=1, expect=REFERENCE)
def test_padding_mask_tensor_lengths(lab):
    """Lengths given as a tensor, including 0 and S."""
    import torch

    return lab.padding_mask(torch.tensor([0, 8, 3, 5]), 8)
### END HIDDEN TESTS


# =============================================================================================
# Task 3: multi-head attention from nn.MultiheadAttention's weights
# =============================================================================================
def _mha_inputs(E, B, L, S, seed):
    """nn.MultiheadAttention's parameters (float64, random weights and biases) and inputs x, y, z.

    Seeded with a private generator, so the probe and the check build the very same tensors.
    torch starts the biases at 0; random ones catch forgotten biases.
    """
    import torch

    g = torch.Generator().manual_seed(seed)
    shapes = {"in_proj_weight": (3 * E, E), "in_proj_bias": (3 * E,), "out_proj.weight": (E, E), "out_proj.bias": (E,)}
    params = {name: 0.5 * torch.randn(*shape, generator=g, dtype=torch.float64) for name, shape in shapes.items()}
    x = torch.randn(B, L, E, generator=g, dtype=torch.float64)
    y = torch.randn(B, S, E, generator=g, dtype=torch.float64)
    z = torch.randn(B, S, E, generator=g, dtype=torch.float64)
    return params, x, y, z


def _torch_mha(E, H, B, L, S, seed, **kwargs):
    """nn.MultiheadAttention's (output, weights) on _mha_inputs: computed in the grader, not in the probe."""
    import torch

    params, x, y, _ = _mha_inputs(E, B, L, S, seed)
    with torch.random.fork_rng(devices=[]):  # building the module draws its initial weights
        mha = torch.nn.MultiheadAttention(E, H, batch_first=True, dtype=torch.float64)
    mha.load_state_dict(params)
    mha.eval()
    with torch.no_grad():
        out, w = mha(x, y, y, **kwargs)
    return out.numpy(), w.numpy()


_PAD_LENGTHS = [3, 5]  # test_mha_key_padding: the two sequences have 3 and 5 real keys of S = 5


def _key_padding(lengths, S):
    import torch

    return torch.arange(S)[None, :] >= torch.tensor(lengths)[:, None]  # True = padding


def _torch_mha_expected(seed, per_head, padded):
    kwargs = {"average_attn_weights": not per_head}
    if padded:
        kwargs["key_padding_mask"] = _key_padding(_PAD_LENGTHS, 5)
    return _torch_mha(8, 2, 2, 3, 5, seed, **kwargs)


def _against_torch(seed, per_head=False, padded=False):
    """A check comparing the probe's output and weights with nn.MultiheadAttention run in the grader (an oracle)."""
    expected = oracle(_torch_mha_expected, seed, per_head, padded)

    def check(got):
        assert isinstance(got, dict), f"expected a dict with 'output' and 'weights', got {type(got).__name__}"
        out, w = expected()
        assert_close(got.get("output"), out, rtol=1e-9, atol=1e-12, name="output vs nn.MultiheadAttention")
        assert_close(got.get("weights"), w, rtol=1e-9, atol=1e-12, name="weights vs nn.MultiheadAttention")

    return check


@graded(task=3, points=3, check=_against_torch(seed=10))
def test_mha_matches_torch(lab):
    """E=8, H=2 (d_head=4), B=2, L=3, S=5: output and head-averaged weights equal torch's."""
    import torch

    params, x, y, _ = _mha_inputs(8, 2, 3, 5, seed=10)
    with torch.no_grad():
        out, w = lab.multi_head_attention(x, y, y, params, num_heads=2)
    return {"output": out, "weights": w}


@graded(task=3, points=2, check=_against_torch(seed=11, per_head=True))
def test_mha_per_head_weights(lab):
    """average_weights=False returns one (L, S) map per head: (B, H, L, S), as average_attn_weights=False."""
    import torch

    params, x, y, _ = _mha_inputs(8, 2, 3, 5, seed=11)
    with torch.no_grad():
        out, w = lab.multi_head_attention(x, y, y, params, num_heads=2, average_weights=False)
    return {"output": out, "weights": w}


@graded(task=3, points=2, check=_against_torch(seed=12, padded=True))
def test_mha_key_padding(lab):
    """key_padding_mask in torch's polarity (True = padding) for lengths 3 and 5 of S=5."""
    import torch

    params, x, y, _ = _mha_inputs(8, 2, 3, 5, seed=12)
    pad = _key_padding(_PAD_LENGTHS, 5)
    with torch.no_grad():
        out, w = lab.multi_head_attention(x, y, y, params, num_heads=2, key_padding_mask=pad)
    return {"output": out, "weights": w}


@graded(task=3, points=1, expect={"params": True, "query": True, "key": True, "key_padding_mask": True})
def test_mha_inputs_not_changed(lab):
    """multi_head_attention leaves its inputs, its params dict and the padding mask as they were."""
    import torch

    params, x, y, _ = _mha_inputs(8, 2, 3, 5, seed=14)
    pad = _key_padding([2, 5], 5)
    before = ({n: t.clone() for n, t in params.items()}, x.clone(), y.clone(), pad.clone())
    with torch.no_grad():
        lab.multi_head_attention(x, y, y, params, num_heads=2, key_padding_mask=pad, average_weights=False)
    return {"params": sorted(params) == sorted(before[0]) and all(torch.equal(params[n], before[0][n]) for n in params),
            "query": bool(torch.equal(x, before[1])), "key": bool(torch.equal(y, before[2])),
            "key_padding_mask": bool(torch.equal(pad, before[3]))}


### BEGIN HIDDEN TESTS
@graded(task=3, points=2, expect=REFERENCE, rtol=1e-9, atol=1e-12)
def test_mha_three_heads(lab):
    """E=6, H=3 (d_head=2), B=2, L=5, S=8, distinct key and value inputs, padding, both weight forms."""
    import torch

    params, x, y, z = _mha_inputs(6, 2, 5, 8, seed=13)
    pad = torch.arange(8)[None, :] >= torch.tensor([8, 3])[:, None]
    with torch.no_grad():
        out, w_mean = lab.multi_head_attention(x, y, z, params, num_heads=3, key_padding_mask=pad)
        _, w_heads = lab.multi_head_attention(x, y, z, params, num_heads=3, key_padding_mask=pad, average_weights=False)
    return {"output": out, "weights_mean": w_mean, "weights_heads": w_heads}
### END HIDDEN TESTS


# =============================================================================================
# Task 4: checking an attention map
# =============================================================================================
ALL_GOOD = {"nonnegative": True, "rows_sum_to_one": True, "masked_zero": True, "lower_triangular": True}
_WHY = {
    "nonnegative": "softmax weights are never negative",
    "rows_sum_to_one": "every query row with an allowed key must sum to 1",
    "masked_zero": "blocked keys must get weight 0",
    "lower_triangular": "a causal map has zeros above the diagonal",
}


def _expect_flags(expected):
    """Check ``{map name: verdict dict}`` against ``{map name: {check: bool}}`` with a teaching message."""

    def check(got):
        assert isinstance(got, dict), f"expected a dict of verdicts per map, got {type(got).__name__}"
        for map_name, flags in expected.items():
            verdict = got.get(map_name)
            assert isinstance(verdict, dict), (
                f"map '{map_name}': check_attention_map must return a dict with keys {sorted(flags)}, got {verdict!r}"
            )
            missing = sorted(set(flags) - set(verdict))
            assert not missing, f"map '{map_name}': the result dict lacks keys {missing} (got {sorted(verdict)})"
            for key, want in flags.items():
                if verdict[key] is not want:
                    meaning = "holds" if want else "is violated"
                    raise AssertionError(
                        f"map '{map_name}': expected {key} = {want} (the property {meaning}: {_WHY[key]}), "
                        f"got {verdict[key]!r}"
                    )

    return check


def _maps(seed):
    """Scores (2, 3, 5) and a keep-mask (3, 5) for the map tests."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(2, 3, 5)), np.array(_KEEP)


@graded(
    task=4,
    points=2,
    check=_expect_flags({"plain": ALL_GOOD, "masked_with_empty_row": ALL_GOOD, "causal_float32": ALL_GOOD}),
)
def test_check_accepts_correct_maps(lab):
    """Right maps pass: a plain one, a masked one with a fully masked (zero) row, a float32 causal one."""
    scores, keep = _maps(20)
    plain = _softmax(scores)
    keep_dead = keep.copy()
    keep_dead[1] = False
    masked = _softmax(np.where(keep_dead, scores, -np.inf))
    masked[:, 1] = 0.0  # the fully masked row is all zeros
    rng = np.random.default_rng(21)
    tril = np.tril(np.ones((8, 8), dtype=bool))
    causal32 = _softmax(np.where(tril, rng.normal(size=(8, 8)), -np.inf).astype(np.float32))
    return {
        "plain": lab.check_attention_map(plain),
        "masked_with_empty_row": lab.check_attention_map(masked, keep=keep_dead),
        "causal_float32": lab.check_attention_map(causal32, causal=True),
    }


@graded(task=4, points=1, check=_expect_flags({"softmax_over_queries": {**ALL_GOOD, "rows_sum_to_one": False}}))
def test_check_flags_wrong_axis(lab):
    """A softmax over the queries (axis -2) instead of the keys: its rows do not sum to 1."""
    scores, _ = _maps(22)
    return {"softmax_over_queries": lab.check_attention_map(_softmax(scores, axis=-2))}


@graded(
    task=4,
    points=2,
    check=_expect_flags(
        {
            "mask_after_softmax": {**ALL_GOOD, "rows_sum_to_one": False},
            "flipped_polarity": {**ALL_GOOD, "masked_zero": False},
            "minus_1e9_fill": {**ALL_GOOD, "masked_zero": False},
        }
    ),
)
def test_check_flags_mask_bugs(lab):
    """Masks applied after the softmax, with flipped polarity, and with a -1e9 fill on a fully masked row."""
    scores, keep = _maps(23)
    after = _softmax(scores) * keep  # zeroing after the softmax: rows no longer sum to 1
    flipped = _softmax(np.where(~keep, scores, -np.inf))  # True treated as "block"
    keep_dead = keep.copy()
    keep_dead[1] = False
    filled = _softmax(np.where(keep_dead, scores, -1e9))  # row 1 becomes uniform 1/5
    return {
        "mask_after_softmax": lab.check_attention_map(after, keep=keep),
        "flipped_polarity": lab.check_attention_map(flipped, keep=keep),
        "minus_1e9_fill": lab.check_attention_map(filled, keep=keep_dead),
    }


@graded(task=4, points=1, check=_expect_flags({"triu_causal": {**ALL_GOOD, "lower_triangular": False}}))
def test_check_flags_upper_triangular(lab):
    """A 'causal' map built with triu instead of tril (L=3, S=5) is not lower-triangular."""
    scores, _ = _maps(24)
    triu = np.triu(np.ones((3, 5), dtype=bool))
    return {"triu_causal": lab.check_attention_map(_softmax(np.where(triu, scores, -np.inf)), causal=True)}


@graded(
    task=4,
    points=1,
    check=_expect_flags(
        {
            "negative at -atol": ALL_GOOD,
            "row sum off by atol": ALL_GOOD,
            "blocked weight = atol": ALL_GOOD,
            "above diagonal = atol": ALL_GOOD,
            "default atol": {**ALL_GOOD, "rows_sum_to_one": False},
            "first superdiagonal": {**ALL_GOOD, "lower_triangular": False},
            "causal and keep leave a row empty": ALL_GOOD,
            "tensor that requires grad": ALL_GOOD,
        }
    ),
)
def test_check_boundaries_and_atol(lab):
    """Each property at exactly `atol` still holds (<= and >=, with atol=0.25); a weight just above the
    diagonal breaks causality; a row that causal AND keep leave without keys may be all zeros; a tensor
    that requires grad is accepted."""
    import torch

    w_ok = [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]]
    empty_first = np.array([[0.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    keep = np.array([[False, True, True], [True, True, True], [True, True, True]])
    return {
        "negative at -atol": lab.check_attention_map(np.array([[-0.25, 1.25]]), atol=0.25),
        "row sum off by atol": lab.check_attention_map(np.array([[0.75, 0.5]]), atol=0.25),
        "blocked weight = atol": lab.check_attention_map(
            np.array([[0.75, 0.25]]), keep=np.array([[True, False]]), atol=0.25
        ),
        "above diagonal = atol": lab.check_attention_map(np.array([[0.75, 0.25], [0.5, 0.5]]), causal=True, atol=0.25),
        "default atol": lab.check_attention_map(np.array([[0.75, 0.5]])),
        "first superdiagonal": lab.check_attention_map(
            np.array([[0.9, 0.1, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]]), causal=True
        ),
        "causal and keep leave a row empty": lab.check_attention_map(empty_first, keep=keep, causal=True),
        "tensor that requires grad": lab.check_attention_map(torch.tensor(w_ok, requires_grad=True), causal=True),
    }


### BEGIN HIDDEN TESTS
@graded(
    task=4,
    points=1,
    check=_expect_flags(
        {"tensor_input": ALL_GOOD, "noisy_float32": ALL_GOOD, "negative_entry": {**ALL_GOOD, "nonnegative": False}}
    ),
)
def test_check_tolerance_and_sign(lab):
    """A torch tensor map passes; 1e-7 noise passes (tolerance); a negative weight is flagged even if rows sum to 1."""
    import torch

    scores, _ = _maps(25)
    good = _softmax(scores)
    rng = np.random.default_rng(26)
    noisy = (good + rng.uniform(-1e-7, 1e-7, size=good.shape)).astype(np.float32)
    negative = np.array([[-0.25, 0.75, 0.5, 0.0, 0.0], [0.2, 0.2, 0.2, 0.2, 0.2], [1.0, 0.0, 0.0, 0.0, 0.0]])
    return {
        "tensor_input": lab.check_attention_map(torch.tensor(good)),
        "noisy_float32": lab.check_attention_map(noisy),
        "negative_entry": lab.check_attention_map(negative),
    }
### END HIDDEN TESTS


# =============================================================================================
# Task 5: plotting an attention map
# =============================================================================================
def _plot_weights():
    """The (3, 5) map the plot tests draw: rebuilt by the check, not taken back from the probe."""
    return _softmax(np.random.default_rng(30).normal(size=(3, 5)))


def _plot_probe(lab):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    w = _plot_weights()
    fig, ax = plt.subplots()
    returned = lab.plot_attention(torch.tensor(w), ax=ax)
    images = ax.get_images()
    data = {
        "returned": None if returned is None else np.asarray(returned, dtype=np.float64),
        "n_images": len(images),
        "image": np.asarray(images[-1].get_array(), dtype=np.float64) if images else None,
        "origin": images[-1].origin if images else None,
        "clim": [float(c) for c in images[-1].get_clim()] if images else None,
        "xlabel": ax.get_xlabel(),
        "ylabel": ax.get_ylabel(),
    }
    plt.close(fig)
    return data


def _check_orientation(got):
    assert got["n_images"] == 1, f"expected exactly 1 image drawn with ax.imshow on the given ax, got {got['n_images']}"
    w = _plot_weights()
    assert_close(got["image"], w, rtol=1e-12, atol=0, name="array drawn by imshow (rows = queries)")
    assert got["origin"] == "upper", f"imshow origin: expected 'upper' (query 0 at the top), got {got['origin']!r}"
    assert got["returned"] is not None, "plot_attention must return the (L, S) array it plotted, got None"
    assert_close(got["returned"], w, rtol=1e-12, atol=0, name="array returned by plot_attention")


@graded(task=5, points=2, check=_check_orientation)
def test_plot_orientation(lab):
    """A (3, 5) map is drawn as it is (3 query rows, 5 key columns), origin 'upper', and returned."""
    return _plot_probe(lab)


def _check_scale_and_labels(got):
    assert got["n_images"] >= 1, "expected an image drawn with ax.imshow on the given ax, found none"
    assert got["clim"] == [0.0, 1.0], f"colour range: expected fixed [vmin, vmax] = [0.0, 1.0], got {got['clim']}"
    assert "query" in got["ylabel"].lower(), f"y label: expected it to name the query axis, got {got['ylabel']!r}"
    assert "key" in got["xlabel"].lower(), f"x label: expected it to name the key axis, got {got['xlabel']!r}"


@graded(task=5, points=2, check=_check_scale_and_labels)
def test_plot_scale_and_labels(lab):
    """The colour range is fixed to [0, 1]; the y axis says 'query', the x axis says 'key'."""
    return _plot_probe(lab)


@graded(task=5, points=1, expect={"colour bar": True, "title": "layer 0", "no title": "", "default ax draws": True,
                                  "returned": [[0.25, 0.75], [1.0, 0.0]]})
def test_plot_colorbar_title_default_ax(lab):
    """A colour bar beside the map, the title when given (none otherwise); without ax, a new figure is drawn.
    A tensor that requires grad is plotted (detach it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    w = torch.tensor([[0.25, 0.75], [1.0, 0.0]], requires_grad=True)
    fig, ax = plt.subplots()
    lab.plot_attention(w, ax=ax, title="layer 0")
    titled = {"colour bar": len(fig.axes) == 2, "title": ax.get_title()}
    plt.close(fig)
    fig, ax = plt.subplots()
    lab.plot_attention(w.detach().numpy(), ax=ax)
    titled["no title"] = ax.get_title()
    plt.close("all")
    returned = lab.plot_attention(w)
    titled["default ax draws"] = any(a.get_images() for n in plt.get_fignums() for a in plt.figure(n).axes)
    plt.close("all")
    titled["returned"] = np.asarray(returned, dtype=np.float64)
    return titled
