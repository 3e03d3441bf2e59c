"""F1 at each threshold as 2PR/(P+R) without guarding P + R = 0: NaN where both are 0."""
CAUGHT_BY = ["test_best_threshold_random"]


def f1_at_thresholds(precision, recall):
    p = np.asarray(precision, dtype=np.float64)
    r = np.asarray(recall, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 2 * p * r / (p + r)
