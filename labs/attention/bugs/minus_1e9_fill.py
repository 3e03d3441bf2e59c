"""Blocked scores filled with -1e9 instead of -inf: a fully masked row becomes UNIFORM over padding."""
CAUGHT_BY = [
    "test_matches_torch_sdpa",
    "test_fully_masked_row_is_zero",
    "test_attention_random_cases",
]

REPLACE = [
    ('        scores = scores.masked_fill(~keep, float("-inf"))', "        scores = scores.masked_fill(~keep, -1e9)"),
    (
        '            scores = scores.masked_fill(~mask, float("-inf"))',
        "            scores = scores.masked_fill(~mask, -1e9)  # finite: a fully blocked row is 1/S everywhere",
    ),
]
