"""F1-optimal threshold with a plain argmax: equal F1 goes to the SMALLEST threshold (more alerts)."""
CAUGHT_BY = ["test_best_threshold_random"]


def best_f1_threshold(y_true, scores, pos_label=1):
    precision, recall, thresholds = precision_recall_curve(y_true, scores, pos_label)
    f1 = f1_at_thresholds(precision[:-1], recall[:-1])
    i = int(np.argmax(f1))
    return {"threshold": float(thresholds[i]), "f1": float(f1[i]),
            "precision": float(precision[i]), "recall": float(recall[i])}
