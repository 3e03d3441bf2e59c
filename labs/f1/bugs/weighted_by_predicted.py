"""average='weighted' weighting each class by how often it is PREDICTED instead of its true support."""
CAUGHT_BY = ["test_weighted_hand", "test_prf_all_averages_random"]

_reference_prf = precision_recall_fscore


def precision_recall_fscore(y_true, y_pred, *, labels=None, average=None, pos_label=1, beta=1.0,
                            zero_division=0.0):
    if average != "weighted":
        return _reference_prf(y_true, y_pred, labels=labels, average=average, pos_label=pos_label,
                              beta=beta, zero_division=zero_division)
    chosen = select_labels(y_true, y_pred, labels, average, pos_label)
    counts = per_class_counts(y_true, y_pred, chosen)
    p, r, f = fbeta_from_counts(counts["tp"], counts["fp"], counts["fn"], beta, zero_division)
    predicted = counts["tp"] + counts["fp"]
    return nan_average(p, predicted), nan_average(r, predicted), nan_average(f, predicted), None
