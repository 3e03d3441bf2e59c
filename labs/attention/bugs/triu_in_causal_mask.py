"""causal_mask keeps j >= i (triu) instead of j <= i (tril)."""
CAUGHT_BY = [
    "test_causal_mask_top_left",
    "test_causal_mask_bottom_right",
    "test_causal_mask_more_shapes",
]

REPLACE = [
    (
        "    return j <= i + offset  # broadcasting gives (L, S); lower triangle (incl. diagonal) kept",
        "    return j >= i + offset  # BUG: upper triangle",
    ),
]
