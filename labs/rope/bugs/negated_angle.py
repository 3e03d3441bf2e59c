"""Rotation by -m*theta (sin with the wrong sign): still a rotation, still relative, still wrong."""
CAUGHT_BY = [
    "test_rope_hand",
    "test_rope_reference_kv",
    "test_half_convention_matches_rotate_half",
    "test_attention_reference",
]

REPLACE = [
    (
        """\
    out1 = x1 * cos - x2 * sin
    out2 = x1 * sin + x2 * cos
    # Put the pairs back in place: stack on a new last axis, then merge (d/2, 2) -> d.
    return torch.stack((out1, out2), dim=-1).flatten(-2)""",
        "    return torch.stack((x1 * cos + x2 * sin, -x1 * sin + x2 * cos), dim=-1).flatten(-2)",
    ),
]
