"""Micro-F1 computed as the mean of the per-class F1 (precision and recall pooled correctly)."""
CAUGHT_BY = ["test_micro_hand", "test_micro_is_accuracy", "test_prf_all_averages_random"]

REPLACE = [
    (
        '    weights = counts["support"] if average == "weighted" else None',
        '''\
    if average == "micro":  # P and R pooled, but F as the mean of the per-class F
        per_class_f = fbeta_from_counts(counts["tp"], counts["fp"], counts["fn"], beta, zero_division)[2]
        return nan_average(precision), nan_average(recall), nan_average(per_class_f), None
    weights = counts["support"] if average == "weighted" else None''',
    ),
]
