"""Confusion matrix with rows = predicted, columns = true (the axes read the wrong way round)."""
CAUGHT_BY = ["test_confusion_hand", "test_confusion_label_order", "test_confusion_random"]

REPLACE = [
    ("            counts[index[t], index[p]] += 1", "            counts[index[p], index[t]] += 1"),
]
