"""per_class_counts extends the caller's `labels` list in place with the other labels it finds."""
CAUGHT_BY = ["test_inputs_not_changed"]

REPLACE = [
    (
        "    \"\"\"\n"
        "    labels = list(labels)\n"
        "    # Extend the label list with every other label that occurs, so that a matrix restricted to\n"
        "    # ``labels`` does not silently drop the errors made against the other classes.\n"
        "    known = set(labels)\n"
        "    others = sorted({v for v in list(y_true) + list(y_pred) if v not in known}, key=repr)\n"
        "    matrix = confusion_counts(y_true, y_pred, labels + others)",
        "    \"\"\"",
    ),
    (
        "    k = len(labels)",
        """\
    k = len(labels)
    labels += sorted({v for v in list(y_true) + list(y_pred) if v not in labels}, key=repr)
    matrix = confusion_counts(y_true, y_pred, labels)""",
    ),
]
