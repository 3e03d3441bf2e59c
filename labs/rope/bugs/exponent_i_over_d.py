"""Frequencies base**(-i/d) instead of base**(-2i/d): the 2 is lost (passes norm and relative tests)."""
CAUGHT_BY = [
    "test_frequencies_d8",
    "test_frequencies_base",
    "test_frequencies_reference",
    "test_rope_hand",
    "test_rope_reference_kv",
    "test_half_convention_matches_rotate_half",
]


def rope_frequencies(head_dim: int, base: float = 10000.0):
    import torch

    if head_dim <= 0 or head_dim % 2:
        raise ValueError(f"head_dim must be a positive even number, got {head_dim}")
    return base ** (-torch.arange(head_dim // 2, dtype=torch.float64) / head_dim)
