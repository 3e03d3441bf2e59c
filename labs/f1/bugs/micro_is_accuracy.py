"""Micro P = R = F1 taken as plain accuracy: wrong when only a subset of the labels is scored."""
CAUGHT_BY = ["test_prf_all_averages_random"]

_reference_prf = precision_recall_fscore


def precision_recall_fscore(y_true, y_pred, *, labels=None, average=None, pos_label=1, beta=1.0,
                            zero_division=0.0):
    if average != "micro":
        return _reference_prf(y_true, y_pred, labels=labels, average=average, pos_label=pos_label,
                              beta=beta, zero_division=zero_division)
    acc = accuracy(y_true, y_pred)
    return acc, acc, acc, None
