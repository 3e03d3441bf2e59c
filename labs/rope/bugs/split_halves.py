"""The other convention: pairs (x[i], x[i + d/2]) although this lab fixes interleaved pairs."""
CAUGHT_BY = [
    "test_rope_hand",
    "test_rope_norm",
    "test_rope_reference_kv",
    "test_half_convention_matches_rotate_half",
]


def apply_rope(x, positions=None, base: float = 10000.0):
    import torch

    d = x.shape[-1]
    positions = _positions_or_default(positions, x.shape[-2])
    angles = positions.to(torch.float64)[:, None] * rope_frequencies(d, base)[None, :]
    emb = torch.cat((angles, angles), dim=-1)
    rotated = torch.cat((-x[..., d // 2 :], x[..., : d // 2]), dim=-1)
    return x * torch.cos(emb).to(x.dtype) + rotated * torch.sin(emb).to(x.dtype)
