"""Softmax over the queries (dim=-2) instead of the keys: columns sum to 1, rows do not."""
CAUGHT_BY = [
    "test_matches_torch_sdpa",
    "test_attention_hand",
    "test_attention_shapes_and_rows",
    "test_bool_mask_keeps_true",
    "test_attention_random_cases",
]


def attention(q, k, v, mask=None, is_causal=False, scale=None):
    import torch

    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = torch.matmul(q, k.transpose(-2, -1)) * scale
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    dead = torch.isneginf(scores).all(dim=-2, keepdim=True)
    weights = torch.softmax(scores.masked_fill(dead, 0.0), dim=-2).masked_fill(dead, 0.0)  # BUG: dim=-2
    return torch.matmul(weights, v), weights
