"""Rows and columns swapped."""
CAUGHT_BY = ["test_small", "test_random"]

def confusion_counts(y_true, y_pred, labels):
    index = {l: i for i, l in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        m[index[p], index[t]] += 1
    return m
