"""Macro-F1 computed as the F1 of macro-precision and macro-recall."""
CAUGHT_BY = ["test_macro_hand", "test_prf_all_averages_random"]

REPLACE = [
    (
        '    weights = counts["support"] if average == "weighted" else None',
        '''\
    if average == "macro":  # the F of the averaged P and R, not the average of the per-class F
        mp, mr, b2 = nan_average(precision), nan_average(recall), beta**2
        return mp, mr, (1 + b2) * mp * mr / (b2 * mp + mr) if b2 * mp + mr > 0 else float(zero_division), None
    weights = counts["support"] if average == "weighted" else None''',
    ),
]
