"""K "transposed" with reshape: the shape is right, the numbers are scrambled."""
CAUGHT_BY = [
    "test_matches_torch_sdpa",
    "test_attention_hand",
    "test_permutation_equivariance",
    "test_attention_random_cases",
]


def attention(q, k, v, mask=None, is_causal=False, scale=None):
    import torch

    L, S, D = q.shape[-2], k.shape[-2], k.shape[-1]
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = torch.matmul(q, k.reshape(*k.shape[:-2], D, S)) * scale  # BUG: reshape is not a transpose
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    dead = torch.isneginf(scores).all(dim=-1, keepdim=True)
    weights = torch.softmax(scores.masked_fill(dead, 0.0), dim=-1).masked_fill(dead, 0.0)
    return torch.matmul(weights, v), weights
