"""RoPE applied to v as well as q and k: the output now depends on absolute position."""
import math

CAUGHT_BY = [
    "test_attention_same_position",
    "test_attention_shift_invariance",
    "test_attention_reference",
]


def rope_attention(q, k, v, q_positions=None, k_positions=None, causal: bool = True, base: float = 10000.0):
    import torch

    lq, lk, d = q.shape[-2], k.shape[-2], q.shape[-1]
    q_positions = torch.arange(lk - lq, lk) if q_positions is None else q_positions
    q_positions = _positions_or_default(q_positions, lq)
    k_positions = _positions_or_default(k_positions, lk)
    qr = apply_rope(q.unsqueeze(1), q_positions, base).squeeze(1)
    kr = apply_rope(k.unsqueeze(1), k_positions, base).squeeze(1)
    vr = apply_rope(v.unsqueeze(1), k_positions, base).squeeze(1)
    scores = qr @ kr.transpose(-2, -1) / math.sqrt(d)
    if causal:
        scores = scores.masked_fill(k_positions[None, :] > q_positions[:, None], float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ vr, weights
