"""F1 as the arithmetic mean of precision and recall instead of the harmonic mean."""
CAUGHT_BY = ["test_prf_hand", "test_prf_random", "test_macro_hand"]

REPLACE = [
    (
        """\
    b2 = float(beta) ** 2
    fbeta = safe_divide((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp, zero_division)
    return precision, recall, fbeta""",
        "    return precision, recall, (precision + recall) / 2",
    ),
]
