"""The mask zeroes weights AFTER the softmax: blocked keys still took their share, rows sum to < 1."""
CAUGHT_BY = [
    "test_matches_torch_sdpa",
    "test_bool_mask_keeps_true",
    "test_causal_hand",
    "test_attention_random_cases",
]


def attention(q, k, v, mask=None, is_causal=False, scale=None):
    import torch

    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = torch.matmul(q, k.transpose(-2, -1)) * scale
    if mask is not None and mask.dtype != torch.bool:
        scores = scores + mask
    weights = torch.softmax(scores, dim=-1)
    # BUG: masking after normalisation; the weights are not renormalised
    if is_causal:
        weights = weights * torch.ones(L, S, dtype=torch.bool).tril()
    if mask is not None and mask.dtype == torch.bool:
        weights = weights * mask
    weights = torch.nan_to_num(weights)
    return torch.matmul(weights, v), weights
