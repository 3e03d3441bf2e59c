"""Frequencies base**(-i/d) instead of base**(-2i/d): the 2 is lost (passes norm and relative tests)."""
CAUGHT_BY = [
    "test_frequencies_d8",
    "test_frequencies_base",
    "test_frequencies_reference",
    "test_rope_hand",
    "test_rope_reference_kv",
    "test_half_convention_matches_rotate_half",
]

REPLACE = [
    (
        """\
    i = torch.arange(head_dim // 2, dtype=torch.float64)
    # float64: these numbers are multiplied by positions in the thousands later.
    return base ** (-2.0 * i / head_dim)""",
        "    return base ** (-torch.arange(head_dim // 2, dtype=torch.float64) / head_dim)",
    ),
]
