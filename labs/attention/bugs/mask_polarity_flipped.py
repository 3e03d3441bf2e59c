"""Boolean mask read as True = BLOCK (nn.MultiheadAttention's polarity) instead of True = keep."""
CAUGHT_BY = [
    "test_matches_torch_sdpa",
    "test_bool_mask_keeps_true",
    "test_fully_masked_row_is_zero",
    "test_attention_random_cases",
    "test_padded_keys_do_not_change_output",
    "test_mha_key_padding",
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
        # BUG: blocks where the mask is True
        scores = scores.masked_fill(mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    dead = torch.isneginf(scores).all(dim=-1, keepdim=True)
    weights = torch.softmax(scores.masked_fill(dead, 0.0), dim=-1).masked_fill(dead, 0.0)
    return torch.matmul(weights, v), weights
