"""is_causal built with triu instead of tril: every query looks at the FUTURE keys."""
CAUGHT_BY = [
    "test_matches_torch_sdpa",
    "test_causal_hand",
    "test_attention_random_cases",
    "test_gradcheck_float64",
]

REPLACE = [
    (
        "        keep = torch.ones(L, S, dtype=torch.bool, device=scores.device).tril()",
        "        keep = torch.ones(L, S, dtype=torch.bool).triu()  # BUG: triu keeps j >= i",
    ),
]
