"""Angles m*theta computed in float16 (spacing 0.5 near 1000): the rotation is garbage."""
CAUGHT_BY = [
    "test_rope_hand",
    "test_rope_reference_kv",
    "test_rope_float32_long",
]

REPLACE = [
    (
        "    angles = positions.to(torch.float64)[:, None] * theta[None, :]  # (seq, d/2)",
        "    angles = (positions.to(torch.float16)[:, None] * theta.to(torch.float16)[None, :]).float()",
    ),
]
