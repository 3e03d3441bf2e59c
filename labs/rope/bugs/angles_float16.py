"""Angles m*theta computed in float16 (spacing 0.5 near 1000): the rotation is garbage."""
CAUGHT_BY = [
    "test_rope_hand",
    "test_rope_reference_kv",
    "test_rope_float32_long",
]


def apply_rope(x, positions=None, base: float = 10000.0):
    import torch

    positions = _positions_or_default(positions, x.shape[-2])
    theta = rope_frequencies(x.shape[-1], base).to(torch.float16)
    angles = positions.to(torch.float16)[:, None] * theta[None, :]
    cos, sin = torch.cos(angles.float()).to(x.dtype), torch.sin(angles.float()).to(x.dtype)
    x1, x2 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1).flatten(-2)
