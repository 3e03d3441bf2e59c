"""Micro-F1 computed as the mean of the per-class F1 (precision and recall pooled correctly)."""
CAUGHT_BY = ["test_micro_hand", "test_micro_is_accuracy", "test_prf_all_averages_random"]

_reference_prf = precision_recall_fscore


def precision_recall_fscore(y_true, y_pred, *, labels=None, average=None, pos_label=1, beta=1.0,
                            zero_division=0.0):
    result = _reference_prf(y_true, y_pred, labels=labels, average=average, pos_label=pos_label,
                            beta=beta, zero_division=zero_division)
    if average != "micro":
        return result
    per_class_f = _reference_prf(y_true, y_pred, labels=labels, average=None, beta=beta,
                                 zero_division=zero_division)[2]
    return result[0], result[1], nan_average(per_class_f), None
