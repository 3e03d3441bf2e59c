"""Average precision as the trapezoid area under the PR points: linear interpolation is optimistic."""
CAUGHT_BY = ["test_ap_hand", "test_ap_random"]

REPLACE = [
    (
        "    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))",
        "    return float(-np.trapezoid(precision, recall))",
    ),
]
