"""Scores divided by d instead of sqrt(d): the softmax becomes too flat as d grows."""
CAUGHT_BY = ["test_matches_torch_sdpa", "test_attention_hand", "test_attention_random_cases", "test_mha_matches_torch"]

REPLACE = [
    (
        "        scale = 1.0 / math.sqrt(D)  # d_k is the per-head dimension of q and k",
        "        scale = 1.0 / D  # BUG: should be 1 / sqrt(D)",
    ),
]
