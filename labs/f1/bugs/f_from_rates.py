"""F from the (already zero-division-filled) P and R instead of from counts: NaN spreads into F."""
CAUGHT_BY = ["test_zero_division_policies", "test_prf_random"]

REPLACE = [
    (
        """\
    fbeta = safe_divide((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp, zero_division)
    return precision, recall, fbeta""",
        "    return precision, recall, safe_divide((1 + b2) * precision * recall, b2 * precision + recall,"
        " zero_division)",
    ),
]
