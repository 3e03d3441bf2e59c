"""The mask zeroes weights AFTER the softmax: blocked keys still took their share, rows sum to < 1."""
CAUGHT_BY = [
    "test_matches_torch_sdpa",
    "test_bool_mask_keeps_true",
    "test_causal_hand",
    "test_attention_random_cases",
]

REPLACE = [
    (
        "    scores = torch.matmul(q, k.transpose(-2, -1)) * scale  # (..., L, S)",
        """\
    scores = torch.matmul(q, k.transpose(-2, -1)) * scale  # (..., L, S)
    unmasked = scores + mask if mask is not None and mask.dtype != torch.bool else scores""",
    ),
    (
        "    weights = torch.softmax(scores, dim=-1)",
        "    weights = torch.nan_to_num(torch.softmax(unmasked, dim=-1)) * ~torch.isneginf(scores)  # masked after",
    ),
]
