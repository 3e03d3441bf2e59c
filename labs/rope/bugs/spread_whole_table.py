"""Spread over the whole score table instead of along each diagonal (fixed offset)."""
CAUGHT_BY = [
    "test_dependence_hand",
    "test_dependence_rope_zero",
    "test_dependence_reference",
]


def position_dependence(encode, q, k, seq_len: int, start: int = 0) -> float:
    import torch

    scores = identical_token_scores(encode, q, k, torch.arange(start, start + seq_len))
    return float((scores.max() - scores.min()) / scores.abs().max())
