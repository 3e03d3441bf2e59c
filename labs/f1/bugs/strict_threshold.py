"""Predicting positive when score > threshold: each threshold loses its own (tied) samples."""
CAUGHT_BY = ["test_pr_curve_hand", "test_best_threshold_hand", "test_pr_curve_random", "test_best_threshold_random"]

REPLACE = [
    (
        "    tps, fps, thresholds = tps[last].astype(np.float64), fps[last].astype(np.float64), s[last]",
        """\
    before = np.r_[0, last[:-1] + 1]  # ">": the samples tied at a threshold are left out of it
    tps, fps = np.r_[0, tps][before].astype(np.float64), np.r_[0, fps][before].astype(np.float64)
    thresholds = s[last]""",
    ),
    (
        "    precision = tps / (tps + fps)",
        "    precision = np.divide(tps, tps + fps, out=np.zeros_like(tps), where=tps + fps > 0)",
    ),
    (
        "    recall = tps / tps[-1] if tps[-1] > 0 else np.ones_like(tps)",
        "    recall = tps / y.sum() if y.sum() > 0 else np.ones_like(tps)",
    ),
]
