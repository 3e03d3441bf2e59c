"""per_class_counts extends the caller's `labels` list in place with the other labels it finds."""
CAUGHT_BY = ["test_inputs_not_changed"]


def per_class_counts(y_true, y_pred, labels):
    k = len(labels)
    labels += sorted({v for v in list(y_true) + list(y_pred) if v not in labels}, key=repr)
    matrix = confusion_counts(y_true, y_pred, labels)
    tp = np.diag(matrix)[:k]
    fp = matrix.sum(axis=0)[:k] - tp
    fn = matrix.sum(axis=1)[:k] - tp
    return {"tp": tp, "fp": fp, "fn": fn, "support": tp + fn}
