"""A map check comparing row sums with == 1: float32 rounding makes right maps fail."""
CAUGHT_BY = ["test_check_accepts_correct_maps", "test_check_tolerance_and_sign"]

REPLACE = [
    (
        """\
    row_sums = w.sum(axis=-1)
    result = {
        "nonnegative": bool((w >= -atol).all()),
        "rows_sum_to_one": bool(np.all(np.abs(row_sums[live] - 1.0) <= atol)),
        "masked_zero": bool(np.all(np.abs(w[~kept]) <= atol)),
        "lower_triangular": True,""",
        """\
    upper = np.triu(np.ones((L, S), dtype=bool), k=1)
    return {
        "nonnegative": bool((w >= 0).all()),
        "rows_sum_to_one": bool(np.all(w.sum(axis=-1)[live] == 1.0)),  # BUG: exact float comparison
        "masked_zero": bool(np.all(w[~kept] == 0.0)),
        "lower_triangular": bool(np.all(w[..., upper] == 0.0)) if causal else True,""",
    ),
]
