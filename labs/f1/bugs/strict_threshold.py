"""Predicting positive when score > threshold: each threshold loses its own (tied) samples."""
CAUGHT_BY = ["test_pr_curve_hand", "test_best_threshold_hand", "test_pr_curve_random", "test_best_threshold_random"]


def precision_recall_curve(y_true, scores, pos_label=1):
    y = np.asarray(y_true) == pos_label
    s = np.asarray(scores, dtype=np.float64)
    thresholds = np.unique(s)
    tps = np.array([np.sum(y & (s > t)) for t in thresholds], dtype=np.float64)
    fps = np.array([np.sum(~y & (s > t)) for t in thresholds], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tps + fps > 0, tps / (tps + fps), 0.0)
    recall = tps / y.sum() if y.sum() > 0 else np.ones_like(tps)
    return np.r_[precision, 1.0], np.r_[recall, 0.0], thresholds
