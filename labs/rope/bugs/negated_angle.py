"""Rotation by -m*theta (sin with the wrong sign): still a rotation, still relative, still wrong."""
CAUGHT_BY = [
    "test_rope_hand",
    "test_rope_reference_kv",
    "test_half_convention_matches_rotate_half",
    "test_attention_reference",
]


def apply_rope(x, positions=None, base: float = 10000.0):
    import torch

    positions = _positions_or_default(positions, x.shape[-2])
    angles = positions.to(torch.float64)[:, None] * rope_frequencies(x.shape[-1], base)[None, :]
    cos, sin = torch.cos(angles).to(x.dtype), torch.sin(angles).to(x.dtype)
    x1, x2 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x1 * cos + x2 * sin, -x1 * sin + x2 * cos), dim=-1).flatten(-2)
