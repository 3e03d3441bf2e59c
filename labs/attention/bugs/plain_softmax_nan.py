"""Masked with -inf but no care for fully masked rows: softmax(-inf, ..., -inf) = 0/0 = NaN."""
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
        scores = scores.masked_fill(~keep, float("-inf"))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    weights = torch.softmax(scores, dim=-1)  # BUG: NaN rows left in
    return torch.matmul(weights, v), weights
