"""Conventions mixed: interleaved pairs with the split-halves table cat(freqs, freqs)."""
CAUGHT_BY = [
    "test_rope_hand",
    "test_rope_norm",
    "test_rope_reference_kv",
    "test_half_convention_matches_rotate_half",
]


def apply_rope(x, positions=None, base: float = 10000.0):
    import torch

    positions = _positions_or_default(positions, x.shape[-2])
    angles = positions.to(torch.float64)[:, None] * rope_frequencies(x.shape[-1], base)[None, :]
    emb = torch.cat((angles, angles), dim=-1)  # the rotate_half table, one angle per coordinate
    cos, sin = torch.cos(emb).to(x.dtype), torch.sin(emb).to(x.dtype)
    # rotate_every_two: (-x1, x0, -x3, x2, ...), the interleaved partner of each coordinate
    partner = torch.stack((-x[..., 1::2], x[..., 0::2]), dim=-1).flatten(-2)
    return x * cos + partner * sin
