"""F1 as the arithmetic mean of precision and recall instead of the harmonic mean."""
CAUGHT_BY = ["test_prf_hand", "test_prf_random", "test_macro_hand"]


def fbeta_from_counts(tp, fp, fn, beta=1.0, zero_division=0.0):
    tp, fp, fn = (np.asarray(a, dtype=np.float64) for a in (tp, fp, fn))
    precision = safe_divide(tp, tp + fp, zero_division)
    recall = safe_divide(tp, tp + fn, zero_division)
    return precision, recall, (precision + recall) / 2
