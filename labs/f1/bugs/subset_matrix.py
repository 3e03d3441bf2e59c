"""Per-class counts from a confusion matrix restricted to `labels`: errors against other classes vanish."""
CAUGHT_BY = ["test_per_class_outside_labels", "test_per_class_random"]


def per_class_counts(y_true, y_pred, labels):
    matrix = confusion_counts(y_true, y_pred, list(labels))
    tp = np.diag(matrix)
    fp = matrix.sum(axis=0) - tp
    fn = matrix.sum(axis=1) - tp
    return {"tp": tp, "fp": fp, "fn": fn, "support": tp + fn}
