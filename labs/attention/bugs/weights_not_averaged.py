"""Multi-head attention returning per-head weights (B, H, L, S) even when the average is asked."""
CAUGHT_BY = ["test_mha_matches_torch", "test_mha_key_padding", "test_mha_three_heads"]

REPLACE = [
    (
        """\
    out = out.transpose(1, 2).reshape(B, L, E)
    out = out @ params["out_proj.weight"].T + params["out_proj.bias"]
    if average_weights:
        weights = weights.mean(dim=1)  # torch reports the head average by default""",
        "    out = out.transpose(1, 2).reshape(B, L, E) @ params[\"out_proj.weight\"].T + params[\"out_proj.bias\"]",
    ),
]
