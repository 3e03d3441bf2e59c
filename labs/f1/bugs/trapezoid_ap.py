"""Average precision as the trapezoid area under the PR points: linear interpolation is optimistic."""
CAUGHT_BY = ["test_ap_hand", "test_ap_random"]


def average_precision(y_true, scores, pos_label=1):
    precision, recall, _ = precision_recall_curve(y_true, scores, pos_label)
    return float(-np.trapezoid(precision, recall))
