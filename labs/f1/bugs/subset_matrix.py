"""Per-class counts from a confusion matrix restricted to `labels`: errors against other classes vanish."""
CAUGHT_BY = ["test_per_class_outside_labels", "test_per_class_random"]

REPLACE = [
    (
        "    matrix = confusion_counts(y_true, y_pred, labels + others)",
        "    matrix = confusion_counts(y_true, y_pred, labels)  # restricted: errors against the others vanish",
    ),
]
