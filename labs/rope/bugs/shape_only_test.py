"""The source set's layer "test": look at the shape, report no problem. It cannot fail."""
CAUGHT_BY = [
    "test_dependence_hand",
    "test_dependence_additive_nonzero",
    "test_dependence_reference",
]


def position_dependence(encode, q, k, seq_len: int, start: int = 0) -> float:
    import torch

    positions = torch.arange(start, start + seq_len)
    scores = identical_token_scores(encode, q, k, positions)
    assert scores.shape == (seq_len, seq_len)
    return 0.0
