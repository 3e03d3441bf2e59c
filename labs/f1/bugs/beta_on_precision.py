"""F-beta with beta^2 on the false positives: beta > 1 then favours precision, not recall."""
CAUGHT_BY = ["test_fbeta_weights_recall", "test_prf_random"]


def fbeta_from_counts(tp, fp, fn, beta=1.0, zero_division=0.0):
    tp, fp, fn = (np.asarray(a, dtype=np.float64) for a in (tp, fp, fn))
    precision = safe_divide(tp, tp + fp, zero_division)
    recall = safe_divide(tp, tp + fn, zero_division)
    b2 = float(beta) ** 2
    return precision, recall, safe_divide((1 + b2) * tp, (1 + b2) * tp + b2 * fp + fn, zero_division)
