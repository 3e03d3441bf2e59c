"""Probes must not compute the oracle next to the student's code.

A probe runs in the same (untrusted) process as the student's module, which is imported first
and may monkeypatch anything: torch, numpy, torch.nn.functional. A test that asks torch for the
expected value inside the probe is judged against whatever the student patched in. These tests
grade submissions that do exactly that and check that the graded tests still fail them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from course.content import content_root
from course.grading.grade import grade
from course.labs.manifest import load_manifest
from course.labs.variants import reference_source

# Appended to the attention reference: a wrong (unscaled) attention and a multi-head attention that
# returns zeros, plus patches that make torch's own implementations agree with them.
_ATTACK = '''

# ---- attack: wrong code, and torch patched at import time to agree with it ----
import torch as _torch
import torch.nn.functional as _F

_right_attention = attention


def attention(q, k, v, mask=None, is_causal=False, scale=None):
    """Wrong: no 1/sqrt(d) scaling."""
    return _right_attention(q, k, v, mask=mask, is_causal=is_causal, scale=1.0)


def _patched_sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, **kwargs):
    return attention(query, key, value, mask=attn_mask, is_causal=is_causal, scale=scale)[0]


_F.scaled_dot_product_attention = _patched_sdpa
_torch.nn.functional.scaled_dot_product_attention = _patched_sdpa


def multi_head_attention(query, key, value, params, num_heads, key_padding_mask=None, average_weights=True):
    """Wrong: zeros of the right shapes."""
    B, L, E = query.shape
    S = key.shape[1]
    shape = (B, L, S) if average_weights else (B, num_heads, L, S)
    return _torch.zeros(B, L, E, dtype=query.dtype), _torch.zeros(shape, dtype=query.dtype)


def _patched_mha_forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                         average_attn_weights=True, is_causal=False):
    return multi_head_attention(query, key, value, None, self.num_heads, average_weights=average_attn_weights)


_torch.nn.MultiheadAttention.forward = _patched_mha_forward
'''

_AGAINST_TORCH = ["test_matches_torch_sdpa", "test_mha_matches_torch", "test_mha_per_head_weights",
                  "test_mha_key_padding"]


@pytest.fixture(scope="module")
def attention_lab():
    return load_manifest(content_root()).get("attention")


def _write(tmp_path: Path, source: str) -> Path:
    folder = tmp_path / "student"
    folder.mkdir()
    path = folder / "attention.py"
    path.write_text(source, encoding="utf-8")
    return path


def test_patched_torch_does_not_pass_the_torch_comparisons(attention_lab, tmp_path):
    path = _write(tmp_path, reference_source(attention_lab) + _ATTACK)
    result = grade(attention_lab, path, sandbox_kind="none", only=_AGAINST_TORCH)
    outcomes = {r.test.name: (r.passed, r.message) for r in result.results}
    assert set(outcomes) == set(_AGAINST_TORCH)
    for name in _AGAINST_TORCH:
        passed, message = outcomes[name]
        assert not passed, f"{name} passed a wrong submission that patched torch: {message}"
        assert "nn.MultiheadAttention" in message or "scaled_dot_product_attention" in message, message


def test_the_reference_still_passes_them(attention_lab, tmp_path):
    """The same grading call on the plain reference: the comparisons themselves are sound."""
    path = _write(tmp_path, reference_source(attention_lab))
    result = grade(attention_lab, path, sandbox_kind="none", only=_AGAINST_TORCH)
    assert all(r.passed for r in result.results), [(r.test.name, r.message) for r in result.results if not r.passed]
