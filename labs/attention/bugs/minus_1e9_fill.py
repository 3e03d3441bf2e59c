"""Blocked scores filled with -1e9 instead of -inf: a fully masked row becomes UNIFORM over padding."""
CAUGHT_BY = [
    "test_matches_torch_sdpa",
    "test_fully_masked_row_is_zero",
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
        scores = scores.masked_fill(~keep, -1e9)  # BUG: finite fill
    if mask is not None:
        scores = scores.masked_fill(~mask, -1e9) if mask.dtype == torch.bool else scores + mask
    weights = torch.softmax(scores, dim=-1)  # all -1e9 in a row -> exp(0) everywhere -> 1/S each
    return torch.matmul(weights, v), weights
