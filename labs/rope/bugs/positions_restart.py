"""Positions ignored: every call rotates rows by 0, 1, 2, ... (wrong after a KV cache)."""
CAUGHT_BY = [
    "test_rope_hand",
    "test_rope_reference_kv",
    "test_attention_decode_step",
    "test_attention_reference",
]

REPLACE = [
    (
        "    return torch.stack((out1, out2), dim=-1).flatten(-2)",
        """\
    return torch.stack((out1, out2), dim=-1).flatten(-2)


_reference_apply_rope = apply_rope


def apply_rope(x, positions=None, base: float = 10000.0):
    import torch

    return _reference_apply_rope(x, torch.arange(x.shape[-2]), base)""",
    ),
]
