"""Confusion matrix with rows = predicted, columns = true (the axes read the wrong way round)."""
CAUGHT_BY = ["test_confusion_hand", "test_confusion_label_order", "test_confusion_random"]


def confusion_counts(y_true, y_pred, labels):
    index = {label: i for i, label in enumerate(labels)}
    counts = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        if t in index and p in index:
            counts[index[p], index[t]] += 1
    return counts
