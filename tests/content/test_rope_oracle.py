"""Project tests for the lab ``rope``: the reference against independent oracles.

The graded tests compare a student's code with the reference; these tests check the
reference itself against implementations that share no code with it:

* scipy: the rotation as an explicit block-diagonal matrix (``scipy.linalg.block_diag``)
  and as the matrix exponential of its skew-symmetric generator (``scipy.linalg.expm``);
  a RoPE score map is the Toeplitz matrix (``scipy.linalg.toeplitz``) of its first column/row;
* torch: the complex form of Meta's LLaMA code (``torch.polar``), the ``rotate_half`` form
  of Hugging Face transformers, and ``F.scaled_dot_product_attention`` on rotated q and k;
* hypothesis: the relative-position, norm and composition properties for random positions.

Plus what a graded test cannot see: lazy imports, the stub, figures, lesson/cards/hints
consistency, and that the public thresholds are not fragile to the seed.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
LAB = REPO / "labs" / "rope"


from conftest import load_module as _load  # noqa: E402

rope = _load(LAB / "rope.py", "rope_reference_under_test")


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)  # bitwise comparisons must not depend on the thread split
    yield
    torch.set_num_threads(old)


def _randn(*shape, seed=0, dtype=torch.float64):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def _rotation_matrix(m: float, d: int, base: float = 10000.0) -> np.ndarray:
    """R_m for interleaved pairs: block_diag of 2x2 rotations by m * theta_i."""
    theta = np.power(base, -np.arange(0, d, 2) / d)  # Hugging Face's 1 / base**(arange(0, d, 2) / d)
    blocks = [np.array([[math.cos(m * t), -math.sin(m * t)], [math.sin(m * t), math.cos(m * t)]]) for t in theta]
    return scipy.linalg.block_diag(*blocks)


# --- frequencies --------------------------------------------------------------------------


@pytest.mark.parametrize("d, base", [(2, 10000.0), (8, 10000.0), (64, 10000.0), (128, 500000.0), (6, 100.0)])
def test_frequencies_match_hf_formula(d, base):
    theta = rope.rope_frequencies(d, base)
    assert theta.dtype == torch.float64 and theta.shape == (d // 2,)
    np.testing.assert_allclose(theta.numpy(), 1.0 / base ** (np.arange(0, d, 2) / d), rtol=1e-14)


@pytest.mark.parametrize("d", [0, 3, 7, -2])
def test_frequencies_reject_bad_dims(d):
    with pytest.raises(ValueError):
        rope.rope_frequencies(d)


# --- apply_rope against matrices and the complex form ---------------------------------------


def test_apply_rope_equals_block_diagonal_matrix():
    d, positions = 8, [0, 1, 7, 100, 4096]
    x = _randn(2, 3, 5, d, seed=1)
    got = rope.apply_rope(x, torch.tensor(positions)).numpy()
    for s, m in enumerate(positions):
        expected = x[:, :, s, :].numpy() @ _rotation_matrix(m, d).T
        np.testing.assert_allclose(got[:, :, s, :], expected, rtol=0, atol=1e-12)


def test_apply_rope_is_expm_of_generator():
    """R_m = expm(m * G), G = block_diag(theta_i * [[0, -1], [1, 0]]): RoPE is a one-parameter group."""
    d = 6
    theta = rope.rope_frequencies(d).numpy()
    gen = scipy.linalg.block_diag(*[t * np.array([[0.0, -1.0], [1.0, 0.0]]) for t in theta])
    x = _randn(1, 1, 4, d, seed=2)
    positions = [0, 2, 5, 37]
    got = rope.apply_rope(x, torch.tensor(positions))[0, 0].numpy()
    for s, m in enumerate(positions):
        np.testing.assert_allclose(got[s], scipy.linalg.expm(m * gen) @ x[0, 0, s].numpy(), rtol=0, atol=1e-11)


def test_apply_rope_equals_llama_complex_form():
    x, positions = _randn(2, 3, 5, 8, seed=3), torch.arange(11, 16)
    angles = positions.double()[:, None] * rope.rope_frequencies(8)
    xc = torch.view_as_complex(x.reshape(2, 3, 5, 4, 2).contiguous())
    expected = torch.view_as_real(xc * torch.polar(torch.ones_like(angles), angles)).flatten(-2)
    torch.testing.assert_close(rope.apply_rope(x, positions), expected, rtol=0, atol=1e-14)


def test_apply_rope_default_positions_and_shapes():
    x = _randn(2, 5, 8, seed=4)  # no heads axis: any leading dimensions work
    torch.testing.assert_close(rope.apply_rope(x), rope.apply_rope(x, torch.arange(5)), rtol=0, atol=0)
    with pytest.raises(ValueError):
        rope.apply_rope(x, torch.arange(4))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_apply_rope_keeps_dtype(dtype):
    assert rope.apply_rope(_randn(2, 3, 5, 8, seed=5).to(dtype), torch.arange(5)).dtype == dtype


def test_float32_drift_is_small_with_float64_angles():
    """Angles in float64, tables cast: float32 output within float32 rounding even at m = 4096."""
    x = _randn(2, 3, 5, 8, seed=6)
    positions = torch.arange(4091, 4096)
    err = (rope.apply_rope(x.float(), positions).double() - rope.apply_rope(x, positions)).abs().max()
    assert err < 5e-6 * x.abs().max()
    # The angle table itself in float32 would be off by about 4096 * 2**-24 ~ 2.4e-4 radian.
    a32 = positions.float()[:, None] * rope.rope_frequencies(8).float()
    a64 = positions.double()[:, None] * rope.rope_frequencies(8)
    assert (a32.double() - a64).abs().max() > 1e-5


# --- conventions ----------------------------------------------------------------------------


def _hf_rotate_half_rope(y, positions):
    d = y.shape[-1]
    inv_freq = 1.0 / (10000.0 ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    freqs = positions.double()[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    rotated = torch.cat((-y[..., d // 2 :], y[..., : d // 2]), dim=-1)
    return y * emb.cos() + rotated * emb.sin()


@pytest.mark.parametrize("d", [2, 4, 6, 8, 10, 64])
def test_permutations_are_p_and_its_inverse(d):
    perm = np.concatenate([np.arange(0, d, 2), np.arange(1, d, 2)])
    x = torch.arange(float(d))
    assert rope.interleaved_to_half(x).numpy().tolist() == perm.tolist()
    assert rope.half_to_interleaved(x).numpy().tolist() == np.argsort(perm).tolist()


def test_half_convention_equals_hf():
    y, positions = _randn(2, 3, 5, 8, seed=7), torch.arange(3, 8)
    torch.testing.assert_close(rope.apply_rope_half(y, positions), _hf_rotate_half_rope(y, positions),
                               rtol=0, atol=1e-14)
    x = _randn(2, 3, 5, 8, seed=8)
    torch.testing.assert_close(
        _hf_rotate_half_rope(rope.interleaved_to_half(x), positions),
        rope.interleaved_to_half(rope.apply_rope(x, positions)),
        rtol=0,
        atol=1e-14,
    )


# --- properties (hypothesis) ----------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(m=st.integers(0, 10_000), n=st.integers(0, 10_000), shift=st.integers(-5_000, 5_000), seed=st.integers(0, 2**16))
def test_relative_property(m, n, shift, seed):
    q, k = _randn(1, 1, 1, 8, seed=seed), _randn(1, 1, 1, 8, seed=seed + 1)
    s1 = (rope.apply_rope(q, torch.tensor([m])) * rope.apply_rope(k, torch.tensor([n]))).sum()
    m2, n2 = m + shift, n + shift
    s2 = (rope.apply_rope(q, torch.tensor([m2])) * rope.apply_rope(k, torch.tensor([n2]))).sum()
    assert abs(float(s1 - s2)) < 1e-9
    # and equal to <q, R_(n-m) k>
    s3 = (q * rope.apply_rope(k, torch.tensor([n - m]))).sum()
    assert abs(float(s1 - s3)) < 1e-9


@settings(max_examples=40, deadline=None)
@given(a=st.integers(-3_000, 3_000), b=st.integers(-3_000, 3_000), seed=st.integers(0, 2**16))
def test_composition_and_norm(a, b, seed):
    x = _randn(2, 3, 1, 8, seed=seed)
    twice = rope.apply_rope(rope.apply_rope(x, torch.tensor([a])), torch.tensor([b]))
    torch.testing.assert_close(twice, rope.apply_rope(x, torch.tensor([a + b])), rtol=0, atol=1e-10)
    torch.testing.assert_close(twice.norm(dim=-1), x.norm(dim=-1), rtol=0, atol=1e-12)


# --- the layer test -------------------------------------------------------------------------


def test_rope_score_map_is_toeplitz():
    q, k = _randn(8, seed=9), _randn(8, seed=10)
    s = rope.identical_token_scores(rope.apply_rope, q, k, torch.arange(20, 32)).numpy()
    np.testing.assert_allclose(s, scipy.linalg.toeplitz(s[:, 0], s[0, :]), rtol=0, atol=1e-12)
    a = rope.identical_token_scores(rope.additive_sinusoidal, q, k, torch.arange(20, 32)).numpy()
    assert np.abs(a - scipy.linalg.toeplitz(a[:, 0], a[0, :])).max() > 0.1


def test_public_thresholds_are_not_fragile():
    """RoPE stays below 1e-9 and the additive encoding above 0.1 for many seeds, not just the graded one."""
    for seed in range(20):
        q, k = _randn(8, seed=100 + seed), _randn(8, seed=200 + seed)
        assert rope.position_dependence(rope.apply_rope, q, k, 16, start=1000) < 1e-12
        assert rope.position_dependence(rope.additive_sinusoidal, q, k, 16, start=0) > 0.3


def test_layer_test_cannot_see_wrong_frequencies():
    """The documented blind spot: a negated angle still gives a Toeplitz map (so the lab also checks values)."""
    q, k = _randn(8, seed=11), _randn(8, seed=12)

    def negated(x, positions):
        return rope.apply_rope(x, -torch.as_tensor(positions))

    assert rope.position_dependence(negated, q, k, 16, start=50) < 1e-12


# --- attention ------------------------------------------------------------------------------


def test_rope_attention_equals_sdpa_on_rotated_q_k():
    q, k, v = _randn(2, 3, 8, seed=13), _randn(2, 5, 8, seed=14), _randn(2, 5, 6, seed=15)
    qp, kp = torch.arange(9, 12), torch.arange(7, 12)
    out, w = rope.rope_attention(q, k, v, qp, kp)
    keep = kp[None, :] <= qp[:, None]  # SDPA boolean mask: True = take part in attention
    qr = rope.apply_rope(q.unsqueeze(1), qp).squeeze(1)
    kr = rope.apply_rope(k.unsqueeze(1), kp).squeeze(1)
    expected = F.scaled_dot_product_attention(qr, kr, v, attn_mask=keep)
    torch.testing.assert_close(out, expected, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 3, dtype=torch.float64), rtol=0, atol=1e-12)


def test_rope_attention_square_equals_sdpa_is_causal():
    q, k, v = _randn(3, 5, 8, seed=16), _randn(3, 5, 8, seed=17), _randn(3, 5, 8, seed=18)
    out, _ = rope.rope_attention(q, k, v)
    qr, kr = rope.apply_rope(q, torch.arange(5)), rope.apply_rope(k, torch.arange(5))
    torch.testing.assert_close(out, F.scaled_dot_product_attention(qr, kr, v, is_causal=True), rtol=1e-12, atol=1e-12)


def test_rope_attention_non_causal():
    q, k, v = _randn(2, 3, 8, seed=19), _randn(2, 5, 8, seed=20), _randn(2, 5, 8, seed=21)
    out, w = rope.rope_attention(q, k, v, causal=False)
    assert (w > 0).all()
    qr = rope.apply_rope(q, torch.arange(2, 5))
    kr = rope.apply_rope(k, torch.arange(5))
    torch.testing.assert_close(out, F.scaled_dot_product_attention(qr, kr, v), rtol=1e-12, atol=1e-12)


# --- files: lazy imports, stub, figures, lesson, cards, hints --------------------------------


def test_module_imports_without_torch_or_matplotlib():
    code = (
        "import importlib.util, sys;"
        f"spec = importlib.util.spec_from_file_location('rope', {str(LAB / 'rope.py')!r});"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m);"
        "assert 'torch' not in sys.modules and 'matplotlib' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-I", "-c", code], check=True)


def test_stub_imports_and_raises():
    from course.labs import markers

    stub = markers.make_stub((LAB / "rope.py").read_text(encoding="utf-8"))
    namespace: dict = {"__name__": "rope_stub"}
    exec(compile(stub, "rope_stub.py", "exec"), namespace)
    with pytest.raises(NotImplementedError):
        namespace["apply_rope"](_randn(1, 1, 2, 4))
    assert "BEGIN SOLUTION" not in stub and "additive_sinusoidal" in stub


def test_figures(tmp_path):
    paths = rope.make_figures(tmp_path)
    assert [p.name for p in paths] == ["rope-toeplitz.png", "rope-score-vs-offset.png"]
    for p in paths:
        assert p.is_file() and p.stat().st_size < 120_000
    data = rope.figure_data()
    r, a = data["rope"], data["additive"]
    np.testing.assert_allclose(r, scipy.linalg.toeplitz(r[:, 0], r[0, :]), rtol=0, atol=1e-12)
    assert np.abs(a - scipy.linalg.toeplitz(a[:, 0], a[0, :])).max() > 0.1
    for name in paths:
        committed = REPO / "cards" / "images" / name.name
        assert committed.is_file(), f"commit the card figure {committed}"


def test_lesson_matches_lab_toml_cards_and_hints():
    config = tomllib.loads((LAB / "lab.toml").read_text(encoding="utf-8"))
    lesson = (LAB / "README.md").read_text(encoding="utf-8")
    headings = re.findall(r"^### Task (\d+): (.+)$", lesson, flags=re.M)
    assert [int(n) for n, _ in headings] == [t["number"] for t in config["task"]]
    sections = re.findall(r"^## (.+)$", lesson, flags=re.M)
    assert sections == ["Objectives", "Background", "Tasks", "How to run", "Figures", "Cards"]
    listed = re.findall(r"^- `([a-z0-9-]+)`", lesson.split("## Cards", 1)[1], flags=re.M)
    cards = (REPO / "cards" / "rope.md").read_text(encoding="utf-8")
    ids = re.findall(r"^## ([a-z0-9-]+)\s*$", cards, flags=re.M)
    assert sorted(listed) == sorted(ids) and len(ids) >= 10 and all(i.startswith("rope-") for i in ids)
    for image in re.findall(r"\]\(images/([^)]+)\)", cards):
        assert (REPO / "cards" / "images" / image).is_file()
    hints = (LAB / "hints.md").read_text(encoding="utf-8")
    assert re.findall(r"^## Task (\d+)$", hints, flags=re.M) == [str(t["number"]) for t in config["task"]]
