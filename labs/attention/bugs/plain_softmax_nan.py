"""Masked with -inf but no care for fully masked rows: softmax(-inf, ..., -inf) = 0/0 = NaN."""
CAUGHT_BY = [
    "test_matches_torch_sdpa",
    "test_fully_masked_row_is_zero",
    "test_attention_random_cases",
]

REPLACE = [
    (
        """\
    weights = torch.softmax(scores, dim=-1)
    weights = weights.masked_fill(dead, 0.0)""",
        "    weights = torch.softmax(scores, dim=-1)",
    ),
]
