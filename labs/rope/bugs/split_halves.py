"""The other convention: pairs (x[i], x[i + d/2]) although this lab fixes interleaved pairs."""
CAUGHT_BY = ["test_rope_hand", "test_rope_norm", "test_rope_reference_kv", "test_half_convention_matches_rotate_half"]

REPLACE = [
    (
        "    x1, x2 = x[..., 0::2], x[..., 1::2]",
        "    x1, x2 = x[..., : head_dim // 2], x[..., head_dim // 2 :]  # pairs (x[i], x[i + d/2])",
    ),
    ("    return torch.stack((out1, out2), dim=-1).flatten(-2)", "    return torch.cat((out1, out2), dim=-1)"),
]
