"""Graded tests of the lab ``rope``: public tests first, hidden tests between markers.

Each test is a probe: it calls your module on fixed, seeded inputs and returns plain data;
the check judges that data. Shapes use distinct sizes (batch 2, heads 3, seq 5, head_dim 8)
so that a transposed axis cannot pass by accident, and float64 where exactness matters.

Some probes hand your functions an encoder written here, in the test file: ``_rope_complex``
(RoPE through complex multiplication, as in Meta's LLaMA code), ``_additive`` (the absolute
sin/cos encoding of the source flashcard set) and ``_shift_first`` (adds the position to
coordinate 0, small enough to check by hand). They take ``(x, positions)`` like ``apply_rope``.
"""

import math

import numpy as np

from course.testing import REFERENCE, assert_close, graded, oracle

# ---------------------------------------------------------------------------------------
# Helpers (torch is imported lazily). Probes use them to build inputs; checks rebuild the same
# seeded inputs with them and compute expected values in the grader, never in the probe.
# ---------------------------------------------------------------------------------------


def _randn(*shape, seed=0, dtype="float64"):
    import torch

    gen = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=gen, dtype=getattr(torch, dtype))


def _theta(d, base=10000.0):
    import torch

    return base ** (-2.0 * torch.arange(d // 2, dtype=torch.float64) / d)


def _rope_complex(x, positions, base=10000.0):
    """RoPE (interleaved pairs) as complex multiplication: (x0 + i x1) * exp(i m theta)."""
    import torch

    d = x.shape[-1]
    angles = torch.as_tensor(positions).to(torch.float64)[:, None] * _theta(d, base)
    pairs = torch.view_as_complex(x.to(torch.float64).reshape(*x.shape[:-1], d // 2, 2).contiguous())
    rotated = pairs * torch.polar(torch.ones_like(angles), angles)
    return torch.view_as_real(rotated).flatten(-2).to(x.dtype)


def _additive(x, positions):
    """x + PE with PE[m, 2i] = sin(m theta_i), PE[m, 2i+1] = cos(m theta_i)."""
    import torch

    angles = torch.as_tensor(positions).to(torch.float64)[:, None] * _theta(x.shape[-1])
    return x + torch.stack((angles.sin(), angles.cos()), dim=-1).flatten(-2).to(x.dtype)


def _shift_first(x, positions):
    """Adds the position m to coordinate 0 of the row at position m."""
    import torch

    out = x.clone()
    out[..., 0] = out[..., 0] + torch.as_tensor(positions).to(x.dtype)
    return out


def _rope_rotate_half(y, positions, base=10000.0):
    """RoPE in the split-halves convention, written as in Hugging Face transformers."""
    import torch

    d = y.shape[-1]
    angles = torch.as_tensor(positions).to(torch.float64)[:, None] * _theta(d, base)
    emb = torch.cat((angles, angles), dim=-1)
    rotated = torch.cat((-y[..., d // 2 :], y[..., : d // 2]), dim=-1)
    return y * emb.cos().to(y.dtype) + rotated * emb.sin().to(y.dtype)


def _plain_attention(q, k, v):
    """softmax(q k^T / sqrt(d)) v without positions or mask."""
    import torch

    w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
    return w @ v


# ---------------------------------------------------------------------------------------
# Task 1: frequencies
# ---------------------------------------------------------------------------------------


@graded(task=1, points=2, expect={"values": [1.0, 0.1, 0.01, 0.001], "dtype": "torch.float64"}, rtol=1e-12)
def test_frequencies_d8(lab):
    """d = 8, base 10000: theta_i = 10000**(-2i/8) = 10**(-i), as a float64 tensor."""
    theta = lab.rope_frequencies(8)
    return {"values": theta, "dtype": str(theta.dtype)}


@graded(task=1, points=2, expect=[1.0, 100 ** (-1 / 3), 100 ** (-2 / 3)], rtol=1e-12)
def test_frequencies_base(lab):
    """d = 6, base 100: theta_i = 100**(-2i/6), i = 0, 1, 2 (the exponent uses the pair index i)."""
    return lab.rope_frequencies(6, base=100.0)


def _raised_value_error(got):
    if got != "ValueError":
        came = "nothing was raised" if got is None else f"{got} was raised"
        raise AssertionError(f"expected ValueError to be raised; {came}")


@graded(task=1, points=1, check=_raised_value_error)
def test_frequencies_odd_dim(lab):
    """An odd head dimension cannot be cut into pairs: rope_frequencies(5) raises ValueError."""
    try:
        lab.rope_frequencies(5)
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__
    return None


# ---------------------------------------------------------------------------------------
# Task 2: apply_rope
# ---------------------------------------------------------------------------------------

_C1, _S1 = math.cos(1.0), math.sin(1.0)
_C3, _S3 = math.cos(3.0), math.sin(3.0)
_EXPECT_HAND = [
    [[
        [_C1, _S1, -math.sin(0.01), math.cos(0.01)],  # [1, 0, 0, 1] at m = 1: angles 1 and 0.01
        [-2 * _S3, 2 * _C3, math.cos(0.03), math.sin(0.03)],  # [0, 2, 1, 0] at m = 3: angles 3 and 0.03
    ]]
]


@graded(task=2, points=3, expect=_EXPECT_HAND, rtol=1e-12, atol=1e-15)
def test_rope_hand(lab):
    """d = 4 (theta = [1, 0.01]), rows [1,0,0,1] at position 1 and [0,2,1,0] at position 3.

    Pair (x0, x1) turns by m * 1 radian, pair (x2, x3) by m * 0.01 radian. float64 throughout
    (angles too): a tolerance of 1e-12 leaves no room for float32 or float16 angles.
    """
    import torch

    x = torch.tensor([[[[1.0, 0.0, 0.0, 1.0], [0.0, 2.0, 1.0, 0.0]]]], dtype=torch.float64)
    return lab.apply_rope(x, torch.tensor([1, 3]))


def _seeded(seed, *shape):
    """_randn for an oracle: the grader computes the tensor a check compares with once, not per check."""
    return _randn(*shape, seed=seed)


_X_SEED0 = oracle(_seeded, 0, 2, 3, 5, 8)
_X_SEED1 = oracle(_seeded, 1, 2, 3, 5, 8)
_X_SEED7 = oracle(_seeded, 7, 2, 3, 5, 8)


def _unchanged_at_zero(got):
    assert_close(got["out"], _X_SEED0(), rtol=0, atol=1e-15, name="R_0 x")


@graded(task=2, points=2, check=_unchanged_at_zero)
def test_rope_identity_at_zero(lab):
    """At position 0 every angle is 0: RoPE must return x unchanged (an additive table does not)."""
    import torch

    x = _randn(2, 3, 5, 8)
    return {"out": lab.apply_rope(x, torch.zeros(5, dtype=torch.int64))}


def _pair_norms(t):
    return np.hypot(t[..., 0::2], t[..., 1::2])


def _norms_kept(got):
    x = _X_SEED1()
    assert_close(_pair_norms(got["out"]), _pair_norms(x), rtol=0, atol=1e-12, name="norm of each pair (x[2i], x[2i+1])")


@graded(task=2, points=2, check=_norms_kept)
def test_rope_norm(lab):
    """A rotation keeps the length of every pair (x[2i], x[2i+1]), hence of the whole vector."""
    import torch

    x = _randn(2, 3, 5, 8, seed=1)
    return {"out": lab.apply_rope(x, torch.tensor([0, 1, 7, 100, 4096]))}


def _composes(got):
    assert_close(got["twice"], got["once"], rtol=0, atol=1e-10, name="R_b (R_a x) compared with R_(a+b) x")


@graded(task=2, points=2, check=_composes)
def test_rope_composition(lab):
    """Rotating by a then by b equals rotating by a + b: R_b R_a = R_(a+b)."""
    import torch

    x = _randn(2, 3, 5, 8, seed=2)
    a, b = torch.tensor([0, 3, 7, 100, 2000]), torch.tensor([5, 0, 11, 1, 2000])
    return {"twice": lab.apply_rope(lab.apply_rope(x, a), b), "once": lab.apply_rope(x, a + b)}


def _same_score(got):
    if not isinstance(got, list) or len(got) != 4:
        raise AssertionError(f"expected 4 pairs (R_m q, R_(m-3) k), got {type(got).__name__}")
    scores = np.array([float(np.sum(np.asarray(qm, dtype=float) * np.asarray(kn, dtype=float))) for qm, kn in got])
    assert_close(scores, np.full_like(scores, scores[0]), rtol=0, atol=1e-9,
                 name="<R_m q, R_(m-3) k> for m = 3, 10, 50, 1000 (must not depend on m)")


@graded(task=2, points=2, check=_same_score)
def test_rope_relative(lab):
    """The score of a query at m and a key at m - 3 is the same for every m: only the offset counts."""
    import torch

    q, k = _randn(1, 1, 1, 8, seed=3), _randn(1, 1, 1, 8, seed=4)
    rotated = []  # the check takes the dot products
    for m in (3, 10, 50, 1000):
        rotated.append([lab.apply_rope(q, torch.tensor([m])), lab.apply_rope(k, torch.tensor([m - 3]))])
    return rotated


def _any_rank_expected():
    import torch

    x3, x5 = _randn(3, 5, 8, seed=40), _randn(1, 2, 1, 4, 6, seed=41)
    return [_rope_complex(x3, torch.arange(5)), _rope_complex(x5, torch.tensor([3, 9, 4, 0]), base=100.0)]


_ANY_RANK = oracle(_any_rank_expected)


def _check_any_rank(got):
    expected_3d, expected_5d = _ANY_RANK()
    assert_close(got["3-D, defaults"], expected_3d, rtol=1e-12, atol=1e-14,
                 name="apply_rope(x of shape (3, 5, 8)) with the default positions 0..4 and base")
    assert_close(got["5-D, base 100"], expected_5d,
                 rtol=1e-12, atol=1e-14, name="apply_rope(x of shape (1, 2, 1, 4, 6), positions, base=100)")
    assert got["inputs unchanged"], "apply_rope changed its input x (or positions) in place"


@graded(task=2, points=1, check=_check_any_rank)
def test_rope_any_rank_and_base(lab):
    """Any number of leading dimensions (seq is the second-to-last axis), default positions, another base;
    the input is not changed in place."""
    import torch

    x3, x5 = _randn(3, 5, 8, seed=40), _randn(1, 2, 1, 4, 6, seed=41)
    positions = torch.tensor([3, 9, 4, 0])
    before = (x3.clone(), x5.clone(), positions.clone())
    out = {"3-D, defaults": lab.apply_rope(x3), "5-D, base 100": lab.apply_rope(x5, positions, base=100.0)}
    out["inputs unchanged"] = all(torch.equal(a, b) for a, b in zip((x3, x5, positions), before))
    return out


# ---------------------------------------------------------------------------------------
# Task 3: conventions
# ---------------------------------------------------------------------------------------


@graded(task=3, points=1, expect=[0, 2, 4, 6, 1, 3, 5, 7])
def test_interleaved_to_half_d8(lab):
    """interleaved_to_half(arange(8)): first members of the pairs, then second members."""
    import torch

    return lab.interleaved_to_half(torch.arange(8.0))


@graded(task=3, points=1, expect=[0, 4, 1, 5, 2, 6, 3, 7])
def test_half_to_interleaved_d8(lab):
    """half_to_interleaved(arange(8)): pair i is (y[i], y[i + 4])."""
    import torch

    return lab.half_to_interleaved(torch.arange(8.0))


def _round_trip(got):
    x = _X_SEED7()
    assert_close(got["there_and_back"], x, rtol=0, atol=0, name="half_to_interleaved(interleaved_to_half(x))")
    assert_close(got["back_and_there"], x, rtol=0, atol=0, name="interleaved_to_half(half_to_interleaved(x))")


@graded(task=3, points=1, check=_round_trip)
def test_round_trip(lab):
    """The two permutations undo each other, on a (2, 3, 5, 8) tensor."""
    x = _randn(2, 3, 5, 8, seed=7)
    return {
        "there_and_back": lab.half_to_interleaved(lab.interleaved_to_half(x)),
        "back_and_there": lab.interleaved_to_half(lab.half_to_interleaved(x)),
    }


def _half_inputs():
    import torch

    return _randn(2, 3, 5, 8, seed=8), torch.arange(2, 7)


def _rotate_half_expected():
    return _rope_rotate_half(*_half_inputs())


_ROTATE_HALF = oracle(_rotate_half_expected)


def _matches_rotate_half(got):
    expected = _ROTATE_HALF()  # the formula runs in the grader
    assert_close(got["yours"], expected, rtol=1e-12, atol=1e-14,
                 name="apply_rope_half compared with the Hugging Face rotate_half formula")


@graded(task=3, points=3, check=_matches_rotate_half)
def test_half_convention_matches_rotate_half(lab):
    """apply_rope_half equals y*cos(cat(a,a)) + rotate_half(y)*sin(cat(a,a)) on (2, 3, 5, 8), positions 2..6."""
    y, positions = _half_inputs()
    return {"yours": lab.apply_rope_half(y, positions)}


def _half_defaults_expected():
    import torch

    y = _randn(2, 4, 6, seed=42)
    return [_rope_rotate_half(y, torch.arange(4)), _rope_rotate_half(y, torch.arange(4), base=500.0)]


_HALF_DEFAULTS = oracle(_half_defaults_expected)


def _check_half_defaults(got):
    defaults, base_500 = _HALF_DEFAULTS()
    assert_close(got["defaults"], defaults, rtol=1e-12, atol=1e-14,
                 name="apply_rope_half(y) with the default positions and base")
    assert_close(got["base 500"], base_500, rtol=1e-12, atol=1e-14,
                 name="apply_rope_half(y, base=500)")


@graded(task=3, points=1, check=_check_half_defaults)
def test_half_defaults_and_base(lab):
    """apply_rope_half with its default positions, and with base=500."""
    y = _randn(2, 4, 6, seed=42)
    return {"defaults": lab.apply_rope_half(y), "base 500": lab.apply_rope_half(y, base=500.0)}


# ---------------------------------------------------------------------------------------
# Task 4: the layer test
# ---------------------------------------------------------------------------------------


@graded(task=4, points=2, expect=[[-2, -1, 0], [-4, -2, 0], [-6, -3, 0]], rtol=1e-12)
def test_scores_hand(lab):
    """Encoder 'add m to coordinate 0', q = (1, 0), k = (-2, 0), positions 0, 1, 2: S[i, j] = (1 + i)(j - 2)."""
    import torch

    q = torch.tensor([1.0, 0.0], dtype=torch.float64)
    k = torch.tensor([-2.0, 0.0], dtype=torch.float64)
    return lab.identical_token_scores(_shift_first, q, k, torch.arange(3))


@graded(task=4, points=2, expect=1 / 3, rtol=1e-12)
def test_dependence_hand(lab):
    """Same S: diagonal spreads 2 (offset 0), 1, 1, 0, 0; largest |S| is 6, so 2 / 6 = 1/3."""
    import torch

    q = torch.tensor([1.0, 0.0], dtype=torch.float64)
    k = torch.tensor([-2.0, 0.0], dtype=torch.float64)
    return lab.position_dependence(_shift_first, q, k, seq_len=3, start=0)


def _about_zero(got):
    if not isinstance(got, float):
        raise AssertionError(f"expected a Python float, got {type(got).__name__}")
    if not abs(got) < 1e-9:
        raise AssertionError(f"RoPE scores depend only on the offset: expected about 0 (< 1e-9), got {got!r}")


@graded(task=4, points=2, check=_about_zero)
def test_dependence_rope_zero(lab):
    """For (a trusted) RoPE at positions 1000..1015 the measure is about 0 (float64 rounding only)."""
    return lab.position_dependence(_rope_complex, _randn(8, seed=10), _randn(8, seed=11), seq_len=16, start=1000)


def _clearly_nonzero(got):
    if not isinstance(got, float):
        raise AssertionError(f"expected a Python float, got {type(got).__name__}")
    if not got > 0.1:
        raise AssertionError(
            f"the additive sin/cos encoding depends on absolute position: expected a clearly non-zero "
            f"measure (> 0.1), got {got!r}. A test that reports 0 for a wrong layer cannot fail."
        )


@graded(task=4, points=2, check=_clearly_nonzero)
def test_dependence_additive_nonzero(lab):
    """For the additive sin/cos encoding at positions 0..15 the measure is clearly non-zero."""
    return lab.position_dependence(_additive, _randn(8, seed=10), _randn(8, seed=11), seq_len=16, start=0)


def _trusted_dependence(encode, q, k, positions):
    n, d = len(positions), q.shape[-1]
    eq = encode(q.reshape(1, 1, 1, d).expand(1, 1, n, d), positions)[0, 0]
    ek = encode(k.reshape(1, 1, 1, d).expand(1, 1, n, d), positions)[0, 0]
    scores = (eq @ ek.T).numpy()
    spread = max(np.ptp(np.diagonal(scores, offset=r)) for r in range(-(n - 1), n))
    return spread / np.abs(scores).max()


def _small_additive(x, positions):
    """The additive encoding scaled by 1e-3: every score is below 1, the measure is unchanged."""
    return 1e-3 * _additive(x, positions)


def _dependence_expected():
    import torch

    q, k = _randn(8, seed=43), _randn(8, seed=44)
    return [_trusted_dependence(_additive, q, k, torch.arange(0, 6)),
            _trusted_dependence(_small_additive, q, k, torch.arange(0, 6))]


_DEPENDENCE = oracle(_dependence_expected)


def _check_dependence_scale(got):
    want, want_small = _DEPENDENCE()
    assert_close(got["default start"], want, rtol=1e-9, name="position_dependence(additive, seq_len=6) (start 0)")
    assert_close(got["scores below 1"], want_small,
                 rtol=1e-9, name="position_dependence with every score below 1 (relative to max |S|)")
    assert got["zero scores"] == 0.0, f"all-zero scores: expected 0.0, got {got['zero scores']!r}"


@graded(task=4, points=1, check=_check_dependence_scale)
def test_dependence_default_start_and_scale(lab):
    """The default start is 0; the measure divides by max |S| even when the scores are small; all-zero
    scores give 0.0 (not a division by zero)."""
    import torch

    q, k = _randn(8, seed=43), _randn(8, seed=44)

    def nothing(x, positions):
        return torch.zeros_like(x)

    return {"default start": lab.position_dependence(_additive, q, k, 6),
            "scores below 1": lab.position_dependence(_small_additive, q, k, 6, 0),
            "zero scores": lab.position_dependence(nothing, q, k, 5, start=3)}


# ---------------------------------------------------------------------------------------
# Task 5: RoPE attention
# ---------------------------------------------------------------------------------------


def _same_position_inputs():
    return _randn(2, 3, 8, seed=20), _randn(2, 5, 8, seed=21), _randn(2, 5, 8, seed=22)


def _plain_expected():
    return _plain_attention(*_same_position_inputs())


_PLAIN = oracle(_plain_expected)


def _equals_plain(got):
    plain = _PLAIN()  # plain attention runs in the grader
    assert_close(got["out"], plain, rtol=1e-12, atol=1e-14,
                 name="output with every token at position 6 (RoPE must leave it equal to plain attention)")


@graded(task=5, points=2, check=_equals_plain)
def test_attention_same_position(lab):
    """All tokens at position 6: q and k turn by the same angles, so scores and output equal plain attention."""
    import torch

    q, k, v = _same_position_inputs()
    out, _ = lab.rope_attention(q, k, v, torch.full((3,), 6), torch.full((5,), 6))
    return {"out": out}


def _shift_invariant(got):
    assert_close(got["shifted_weights"], got["weights"], rtol=1e-10, atol=1e-12,
                 name="weights after shifting all positions by 100")
    assert_close(got["shifted_out"], got["out"], rtol=1e-10, atol=1e-12,
                 name="output after shifting all positions by 100")


@graded(task=5, points=2, check=_shift_invariant)
def test_attention_shift_invariance(lab):
    """Shifting every query and key position by 100 changes neither weights nor output."""
    import torch

    q, k, v = _randn(2, 3, 8, seed=23), _randn(2, 5, 8, seed=24), _randn(2, 5, 8, seed=25)
    qp, kp = torch.tensor([2, 3, 4]), torch.arange(5)
    out, w = lab.rope_attention(q, k, v, qp, kp)
    out2, w2 = lab.rope_attention(q, k, v, qp + 100, kp + 100)
    return {"out": out, "weights": w, "shifted_out": out2, "shifted_weights": w2}


def _causal_by_position(got):
    w = np.asarray(got)
    if w.shape != (2, 3, 5):
        raise AssertionError(f"weights: expected shape (2, 3, 5) (batch, Lq, Lk), got {w.shape}")
    q_pos, k_pos = np.array([2, 3, 4]), np.arange(5)
    future = k_pos[None, :] > q_pos[:, None]  # query at position 2 must not see keys 3, 4, ...
    assert_close(w[:, future], np.zeros_like(w[:, future]), rtol=0, atol=0,
                 name="weights on keys after the query's position")
    assert_close(w.sum(axis=-1), np.ones((2, 3)), rtol=0, atol=1e-12, name="row sums of the weights")


@graded(task=5, points=2, check=_causal_by_position)
def test_attention_causal_by_position(lab):
    """3 queries, 5 keys, default positions (queries at 2, 3, 4): weights are 0 on later keys, rows sum to 1."""
    q, k, v = _randn(2, 3, 8, seed=26), _randn(2, 5, 8, seed=27), _randn(2, 5, 8, seed=28)
    return lab.rope_attention(q, k, v)[1]


def _decode_matches(got):
    step, full = np.asarray(got["step"]), np.asarray(got["full"])
    if step.shape[:2] != (2, 1) or full.shape[:2] != (2, 5) or step.ndim != 3 or full.ndim != 3:
        raise AssertionError(f"rope_attention outputs: expected shapes (2, 1, 8) and (2, 5, 8) (batch, Lq, dv), "
                             f"got {step.shape} and {full.shape}")
    assert_close(step[:, 0], full[:, 4], rtol=1e-12, atol=1e-14,
                 name="one-query decode step at position 4 compared with the last row of full attention")


@graded(task=5, points=2, check=_decode_matches)
def test_attention_decode_step(lab):
    """KV cache: the query of token 4 alone (position 4, keys 0..4) gives the last row of full causal attention."""
    import torch

    q, k, v = _randn(2, 5, 8, seed=29), _randn(2, 5, 8, seed=30), _randn(2, 5, 8, seed=31)
    full, _ = lab.rope_attention(q, k, v, torch.arange(5), torch.arange(5))
    step, _ = lab.rope_attention(q[:, 4:], k, v, torch.tensor([4]), torch.arange(5))
    return {"step": step, "full": full}


def _trusted_rope_attention(q, k, v, qp, kp, causal, base):
    import torch

    qr = _rope_complex(q.unsqueeze(1), qp, base).squeeze(1)
    kr = _rope_complex(k.unsqueeze(1), kp, base).squeeze(1)
    scores = qr @ kr.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        scores = scores.masked_fill(torch.as_tensor(kp)[None, :] > torch.as_tensor(qp)[:, None], float("-inf"))
    w = torch.softmax(scores, dim=-1)
    return (w @ v).numpy(), w.numpy()


def _not_causal_base_expected():
    import torch

    q, k, v = _randn(2, 2, 6, seed=45), _randn(2, 4, 6, seed=46), _randn(2, 4, 3, seed=47)
    return [_trusted_rope_attention(q, k, v, torch.arange(2, 4), torch.arange(4), False, 50.0),
            _trusted_rope_attention(q, k, v, torch.arange(2, 4), torch.arange(4), True, 10000.0)]


_NOT_CAUSAL_BASE = oracle(_not_causal_base_expected)


def _check_not_causal_base(got):
    (out, w), (out_default, w_default) = _NOT_CAUSAL_BASE()
    assert_close(got["not causal, base 50"], [out, w], rtol=1e-10, atol=1e-12, names=("out", "weights"),
                 name="rope_attention(causal=False, base=50) with default positions")
    assert_close(got["defaults"], [out_default, w_default], rtol=1e-10, atol=1e-12, names=("out", "weights"),
                 name="rope_attention with every default (queries at the last positions 2, 3; causal)")


@graded(task=5, points=1, check=_check_not_causal_base)
def test_attention_not_causal_and_base(lab):
    """causal=False lets a query see later keys; base is passed on to the rotation; the default query
    positions are the last Lq of the keys'."""
    q, k, v = _randn(2, 2, 6, seed=45), _randn(2, 4, 6, seed=46), _randn(2, 4, 3, seed=47)
    return {"not causal, base 50": list(lab.rope_attention(q, k, v, causal=False, base=50.0)),
            "defaults": list(lab.rope_attention(q, k, v))}


### BEGIN HIDDEN TESTS
# --- hidden: Task 1 --------------------------------------------------------


@graded(task=1, points=1, expect=REFERENCE, rtol=1e-13)
def test_frequencies_reference(lab):
    """d = 10, base 500000 (a long-context base), compared with the reference."""
    return lab.rope_frequencies(10, base=500000.0)


# --- hidden: Task 2 --------------------------------------------------------


@graded(task=2, points=2, expect=REFERENCE, rtol=1e-12, atol=1e-14)
def test_rope_reference_kv(lab):
    """(2, 3, 5, 8) float64 at positions 7..11 (a chunk after 7 cached tokens), vs the reference."""
    import torch

    return lab.apply_rope(_randn(2, 3, 5, 8, seed=5), torch.arange(7, 12))


@graded(task=2, points=1, expect=REFERENCE, rtol=0, atol=2e-5)
def test_rope_float32_long(lab):
    """float32 input at positions 4091..4095: result stays float32 and matches the reference."""
    import torch

    out = lab.apply_rope(_randn(2, 3, 5, 8, seed=6, dtype="float32"), torch.arange(4091, 4096))
    return {"dtype": str(out.dtype), "values": out}


# --- hidden: Task 3 --------------------------------------------------------


@graded(task=3, points=1, expect=REFERENCE)
def test_permutations_reference(lab):
    """Both permutations for d = 6 and d = 10 (where P is not its own inverse), vs the reference."""
    import torch

    return {
        "to_half_6": lab.interleaved_to_half(torch.arange(6.0)),
        "to_inter_6": lab.half_to_interleaved(torch.arange(6.0)),
        "to_half_10": lab.interleaved_to_half(torch.arange(10.0).reshape(1, 10)),
        "to_inter_10": lab.half_to_interleaved(torch.arange(10.0).reshape(1, 10)),
    }


def _conjugate(got):
    assert_close(got["left"], got["right"], rtol=1e-12, atol=1e-14,
                 name="apply_rope_half(P x) compared with P apply_rope(x)")


@graded(task=3, points=1, check=_conjugate)
def test_half_property(lab):
    """apply_rope_half(x[P]) == apply_rope(x)[P] on (3, 2, 5, 6) at positions 20..24."""
    import torch

    x, positions = _randn(3, 2, 5, 6, seed=9), torch.arange(20, 25)
    return {
        "left": lab.apply_rope_half(lab.interleaved_to_half(x), positions),
        "right": lab.interleaved_to_half(lab.apply_rope(x, positions)),
    }


# --- hidden: Task 4 --------------------------------------------------------


@graded(task=4, points=1, expect=REFERENCE, rtol=1e-12, atol=1e-13)
def test_scores_reference(lab):
    """identical_token_scores with (trusted) RoPE, d = 8, positions 3..7, vs the reference."""
    import torch

    return lab.identical_token_scores(_rope_complex, _randn(8, seed=12), _randn(8, seed=13), torch.arange(3, 8))


@graded(task=4, points=1, expect=REFERENCE, rtol=1e-9)
def test_dependence_reference(lab):
    """position_dependence of the additive encoding at positions 50..61, vs the reference."""
    return lab.position_dependence(_additive, _randn(8, seed=14), _randn(8, seed=15), seq_len=12, start=50)


# --- hidden: Task 5 --------------------------------------------------------


@graded(task=5, points=2, expect=REFERENCE, rtol=1e-10, atol=1e-12)
def test_attention_reference(lab):
    """q (2, 3, 8) at positions 9..11, k (2, 5, 8) at 7..11, v (2, 5, 6), causal, vs the reference."""
    import torch

    q, k, v = _randn(2, 3, 8, seed=32), _randn(2, 5, 8, seed=33), _randn(2, 5, 6, seed=34)
    out, w = lab.rope_attention(q, k, v, torch.arange(9, 12), torch.arange(7, 12))
    return {"out": out, "weights": w}
### END HIDDEN TESTS
