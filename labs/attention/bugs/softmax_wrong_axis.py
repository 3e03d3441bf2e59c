"""Softmax over the queries (dim=-2) instead of the keys: columns sum to 1, rows do not."""
CAUGHT_BY = [
    "test_matches_torch_sdpa",
    "test_attention_hand",
    "test_attention_shapes_and_rows",
    "test_bool_mask_keeps_true",
    "test_attention_random_cases",
]

REPLACE = [
    (
        "    dead = torch.isneginf(scores).all(dim=-1, keepdim=True)",
        "    dead = torch.isneginf(scores).all(dim=-2, keepdim=True)",
    ),
    ("    weights = torch.softmax(scores, dim=-1)", "    weights = torch.softmax(scores, dim=-2)  # over the queries"),
]
