"""causal_mask keeps j >= i (triu) instead of j <= i (tril)."""
CAUGHT_BY = [
    "test_causal_mask_top_left",
    "test_causal_mask_bottom_right",
    "test_causal_mask_more_shapes",
]


def causal_mask(L, S, align="top-left"):
    import torch

    offset = 0 if align == "top-left" else S - L
    i = torch.arange(L).unsqueeze(1)
    j = torch.arange(S).unsqueeze(0)
    return j >= i + offset  # BUG: upper triangle
