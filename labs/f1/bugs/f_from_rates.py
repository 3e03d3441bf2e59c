"""F from the (already zero-division-filled) P and R instead of from counts: NaN spreads into F."""
CAUGHT_BY = ["test_zero_division_policies", "test_prf_random"]


def fbeta_from_counts(tp, fp, fn, beta=1.0, zero_division=0.0):
    tp, fp, fn = (np.asarray(a, dtype=np.float64) for a in (tp, fp, fn))
    precision = safe_divide(tp, tp + fp, zero_division)
    recall = safe_divide(tp, tp + fn, zero_division)
    b2 = float(beta) ** 2
    return precision, recall, safe_divide((1 + b2) * precision * recall, b2 * precision + recall, zero_division)
