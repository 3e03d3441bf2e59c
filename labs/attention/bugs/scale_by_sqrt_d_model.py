"""Multi-head attention scaling every head by 1/sqrt(d_model) instead of 1/sqrt(d_head)."""
CAUGHT_BY = ["test_mha_matches_torch", "test_mha_per_head_weights", "test_mha_three_heads"]

REPLACE = [
    (
        "    out, weights = attention(q, k, v, mask=keep)  # (B, H, L, d), (B, H, L, S)",
        "    out, weights = attention(q, k, v, mask=keep, scale=1.0 / math.sqrt(E))  # E is d_model, not d_head",
    ),
]
