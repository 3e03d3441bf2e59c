"""FP taken from row sums and FN from column sums: precision and recall come out swapped."""
CAUGHT_BY = ["test_per_class_hand", "test_per_class_outside_labels", "test_per_class_random",
             "test_average_none_hand", "test_binary_pos_label"]


def per_class_counts(y_true, y_pred, labels):
    labels = list(labels)
    known = set(labels)
    others = sorted({v for v in list(y_true) + list(y_pred) if v not in known}, key=repr)
    matrix = confusion_counts(y_true, y_pred, labels + others)
    k = len(labels)
    tp = np.diag(matrix)[:k]
    fp = matrix.sum(axis=1)[:k] - tp  # wrong axis: this is FN
    fn = matrix.sum(axis=0)[:k] - tp  # wrong axis: this is FP
    return {"tp": tp, "fp": fp, "fn": fn, "support": tp + fn}
