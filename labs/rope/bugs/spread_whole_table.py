"""Spread over the whole score table instead of along each diagonal (fixed offset)."""
CAUGHT_BY = ["test_dependence_hand", "test_dependence_rope_zero", "test_dependence_reference"]

REPLACE = [
    (
        """\
    spread = max(
        float(diag.max() - diag.min())
        for diag in (torch.diagonal(scores, offset=r) for r in range(-(seq_len - 1), seq_len))
    )""",
        "    spread = float(scores.max() - scores.min())  # the whole table: every offset mixed",
    ),
]
