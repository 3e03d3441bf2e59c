"""Placeholder."""
import numpy as np

def confusion_counts(y_true, y_pred, labels):
    ### BEGIN SOLUTION (count pairs)
    index = {l: i for i, l in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        m[index[t], index[p]] += 1
    return m
    ### END SOLUTION
