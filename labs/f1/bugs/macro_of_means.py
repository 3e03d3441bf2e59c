"""Macro-F1 computed as the F1 of macro-precision and macro-recall."""
CAUGHT_BY = ["test_macro_hand", "test_prf_all_averages_random"]

_reference_prf = precision_recall_fscore


def precision_recall_fscore(y_true, y_pred, *, labels=None, average=None, pos_label=1, beta=1.0,
                            zero_division=0.0):
    if average != "macro":
        return _reference_prf(y_true, y_pred, labels=labels, average=average, pos_label=pos_label,
                              beta=beta, zero_division=zero_division)
    p, r, _, _ = _reference_prf(y_true, y_pred, labels=labels, average=None, beta=beta,
                                zero_division=zero_division)
    mp, mr = nan_average(p), nan_average(r)
    b2 = beta**2
    f = (1 + b2) * mp * mr / (b2 * mp + mr) if b2 * mp + mr > 0 else float(zero_division)
    return mp, mr, f, None
