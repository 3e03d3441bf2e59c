"""F1-optimal threshold with a plain argmax: equal F1 goes to the SMALLEST threshold (more alerts)."""
CAUGHT_BY = ["test_best_threshold_random"]

REPLACE = [
    ("    i = len(f1) - 1 - int(np.argmax(f1[::-1]))", "    i = int(np.argmax(f1))"),
]
