"""Conventions mixed: interleaved pairs with the split-halves table cat(freqs, freqs)."""
CAUGHT_BY = ["test_rope_hand", "test_rope_norm", "test_rope_reference_kv", "test_half_convention_matches_rotate_half"]

REPLACE = [
    (
        "    angles = positions.to(torch.float64)[:, None] * theta[None, :]  # (seq, d/2)",
        "    angles = positions.to(torch.float64)[:, None] * theta.repeat(2)[None, :]  # cat(theta, theta): (seq, d)",
    ),
    (
        """\
    out1 = x1 * cos - x2 * sin
    out2 = x1 * sin + x2 * cos""",
        """\
    out1 = x1 * cos[:, 0::2] - x2 * sin[:, 0::2]  # coordinate 2i reads table entry 2i, not i
    out2 = x1 * sin[:, 1::2] + x2 * cos[:, 1::2]""",
    ),
]
