"""A map check that only looks at row sums: it passes flipped masks, -1e9 rows and triu maps."""
CAUGHT_BY = ["test_check_flags_mask_bugs", "test_check_flags_upper_triangular"]

REPLACE = [
    (
        """\
        "rows_sum_to_one": bool(np.all(np.abs(row_sums[live] - 1.0) <= atol)),
        "masked_zero": bool(np.all(np.abs(w[~kept]) <= atol)),""",
        """\
        "rows_sum_to_one": bool(np.all(np.abs(row_sums - 1.0) <= atol)),
        "masked_zero": True,  # never looked at""",
    ),
    (
        """\
    if causal:
        upper = np.triu(np.ones((L, S), dtype=bool), k=1)  # strictly above the diagonal
        result["lower_triangular"] = bool(np.all(np.abs(w[..., upper]) <= atol))
    return result""",
        "    return result  # lower_triangular never looked at either",
    ),
]
