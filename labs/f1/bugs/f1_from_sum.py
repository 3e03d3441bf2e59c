"""F1 at each threshold as 2PR/(P+R) without guarding P + R = 0: NaN where both are 0."""
CAUGHT_BY = ["test_best_threshold_random"]

REPLACE = [
    (
        "    return safe_divide(2 * p * r, p + r, 0.0)",
        """\
    with np.errstate(divide="ignore", invalid="ignore"):
        return 2 * p * r / (p + r)""",
    ),
]
