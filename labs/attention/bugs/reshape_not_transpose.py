"""K "transposed" with reshape: the shape is right, the numbers are scrambled."""
CAUGHT_BY = [
    "test_matches_torch_sdpa",
    "test_attention_hand",
    "test_permutation_equivariance",
    "test_attention_random_cases",
]

REPLACE = [
    (
        """\
        scale = 1.0 / math.sqrt(D)  # d_k is the per-head dimension of q and k
    # One score per (query, key) pair: contract the feature axis. transpose, not reshape:
    # reshape(..., D, S) would keep the memory order and scramble the numbers.
    scores = torch.matmul(q, k.transpose(-2, -1)) * scale  # (..., L, S)""",
        """\
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = torch.matmul(q, k.reshape(*k.shape[:-2], D, S)) * scale  # BUG: reshape is not a transpose""",
    ),
]
