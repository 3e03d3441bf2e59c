"""Scores divided by d instead of sqrt(d): the softmax becomes too flat as d grows."""
CAUGHT_BY = [
    "test_matches_torch_sdpa",
    "test_attention_hand",
    "test_attention_random_cases",
    "test_mha_matches_torch",
]


def attention(q, k, v, mask=None, is_causal=False, scale=None):
    import torch

    D = q.shape[-1]
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / D  # BUG: should be 1 / sqrt(D)
    scores = torch.matmul(q, k.transpose(-2, -1)) * scale
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    dead = torch.isneginf(scores).all(dim=-1, keepdim=True)
    weights = torch.softmax(scores.masked_fill(dead, 0.0), dim=-1).masked_fill(dead, 0.0)
    return torch.matmul(weights, v), weights
