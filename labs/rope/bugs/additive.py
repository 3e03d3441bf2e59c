"""The source set's "RoPE": add a sin/cos table to x (the absolute encoding of Vaswani et al.)."""
CAUGHT_BY = [
    "test_rope_hand",
    "test_rope_identity_at_zero",
    "test_rope_norm",
    "test_rope_composition",
    "test_rope_relative",
    "test_rope_reference_kv",
    "test_attention_shift_invariance",
]

REPLACE = [
    (
        "    head_dim, seq_len = x.shape[-1], x.shape[-2]",
        """\
    return additive_sinusoidal(x, positions, base)
    head_dim, seq_len = x.shape[-1], x.shape[-2]""",
    ),
]
