"""RoPE applied to v as well as q and k: the output now depends on absolute position."""
CAUGHT_BY = [
    "test_attention_same_position",
    "test_attention_shift_invariance",
    "test_attention_reference",
]

REPLACE = [
    (
        "    # Scaled dot products: the scale uses the head dimension d.",
        """\
    # Scaled dot products: the scale uses the head dimension d.
    vr = apply_rope(v.unsqueeze(1), k_positions, base).squeeze(1)""",
    ),
    ("    return weights @ v, weights", "    return weights @ vr, weights"),
]
