"""F-beta with beta^2 on the false positives: beta > 1 then favours precision, not recall."""
CAUGHT_BY = ["test_fbeta_weights_recall", "test_prf_random"]

REPLACE = [
    (
        """\
    fbeta = safe_divide((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp, zero_division)
    return precision, recall, fbeta""",
        "    return precision, recall, safe_divide((1 + b2) * tp, (1 + b2) * tp + b2 * fp + fn, zero_division)",
    ),
]
