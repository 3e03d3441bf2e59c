"""Graded tests for lab f1: precision, recall and F1.

Each test is a probe: it calls your module on fixed inputs and returns plain data; the grader
judges that data. Public tests use small cases computed by hand (the fractions in ``expect=``
are the hand computation); hidden tests compare with the reference solution on seeded random
data, including absent classes, label subsets and tied scores.

Run the public tests on your code with ``pytest test_f1.py`` or ``course lab check f1``.
"""

import numpy as np

from course.testing import REFERENCE, assert_close, graded

NAN = float("nan")

# The running example of tasks 1-2: 8 samples, 3 classes (distinct sizes, so a transpose shows).
Y_TRUE = [0, 1, 2, 2, 1, 0, 2, 1]
Y_PRED = [0, 2, 2, 1, 1, 0, 2, 0]

# Task 3's example: class 0 is frequent, class 2 rare, and precision differs from recall.
Y3_TRUE = [0, 0, 0, 0, 0, 1, 1, 2]
Y3_PRED = [0, 0, 0, 1, 1, 1, 2, 0]
# Per class (tp, fp, fn): 0 -> (3, 1, 2), 1 -> (1, 2, 1), 2 -> (0, 1, 1); support [5, 2, 1].

# Task 4's example: five scores, two of them tied at 0.8 (one positive, one negative).
Y4_TRUE = [1, 0, 1, 1, 0]
S4 = [0.9, 0.8, 0.8, 0.3, 0.1]


def _seeded_labels(seed, n, k):
    rng = np.random.default_rng(seed)
    return rng.integers(0, k, n).tolist(), rng.integers(0, k, n).tolist()


# ---------------------------------------------------------------------------------- Task 1


@graded(task=1, points=2, expect=[[2, 0, 0], [1, 1, 1], [0, 1, 2]])
def test_confusion_hand(lab):
    """Rows are TRUE classes, columns PREDICTED classes: C[1, 2] = 1 (a 1 predicted as 2)."""
    return lab.confusion_counts(Y_TRUE, Y_PRED, labels=[0, 1, 2])


@graded(task=1, points=1, expect=[[0, 1], [0, 2]])
def test_confusion_label_order(lab):
    """Rows/columns follow the order of `labels` (dog, cat); samples with other labels are skipped."""
    y_true = ["cat", "dog", "bird", "cat", "dog"]
    y_pred = ["cat", "cat", "cat", "cat", "bird"]
    return lab.confusion_counts(y_true, y_pred, labels=["dog", "cat"])


@graded(task=1, points=2, expect={"tp": [2, 1, 2], "fp": [1, 1, 1], "fn": [0, 2, 1], "support": [2, 3, 3]})
def test_per_class_hand(lab):
    """tp = diagonal, fp = column sum - tp, fn = row sum - tp, support = row sum."""
    return lab.per_class_counts(Y_TRUE, Y_PRED, labels=[0, 1, 2])


@graded(task=1, points=1, expect={"tp": [1], "fp": [1], "fn": [2], "support": [3]})
def test_per_class_outside_labels(lab):
    """Scoring only class 1: a 2 predicted as 1 is still a false positive, a 1 predicted as 2 or 0 a false negative."""
    return lab.per_class_counts(Y_TRUE, Y_PRED, labels=[1])


# ---------------------------------------------------------------------------------- Task 2


@graded(task=2, points=1, expect=[0.5, NAN, NAN, 2.0])
def test_safe_divide(lab):
    """Ratios with a zero denominator get the zero_division value (here NaN); the others divide."""
    return lab.safe_divide([1, 0, 3, 4], [2, 0, 0, 2], zero_division=NAN)


@graded(task=2, points=2, expect=[[3 / 4, 1 / 4, 0.0], [3 / 5, 1.0, 0.0], [6 / 9, 2 / 5, 0.0]],
        names=("precision", "recall", "f1"))
def test_prf_hand(lab):
    """tp=[3,1,0], fp=[1,3,2], fn=[2,0,1]: P = TP/(TP+FP), R = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN)."""
    return list(lab.fbeta_from_counts([3, 1, 0], [1, 3, 2], [2, 0, 1]))


@graded(task=2, points=2, expect={"beta=2": [10 / 18, 10 / 12], "beta=0.5": [2.5 / 3, 2.5 / 4.5]})
def test_fbeta_weights_recall(lab):
    """Class a misses 2 positives (FN=2), class b raises 2 false alarms (FP=2): beta=2 punishes the misses more."""
    tp, fp, fn = [2, 2], [0, 2], [2, 0]
    return {
        "beta=2": lab.fbeta_from_counts(tp, fp, fn, beta=2.0)[2],
        "beta=0.5": lab.fbeta_from_counts(tp, fp, fn, beta=0.5)[2],
    }


def _zero_division_expected():
    # Classes: A absent (0, 0, 0); B only predicted (0, 3, 0); C never predicted (0, 0, 4); D normal (2, 0, 1).
    # P is 0/0 for A and C, R is 0/0 for A and B, but F = 0/(FP+FN) is 0/0 for A only.
    out = {}
    for key, z in (("0", 0.0), ("1", 1.0), ("nan", NAN)):
        out[key] = [[z, 0.0, z, 1.0], [z, z, 0.0, 2 / 3], [z, 0.0, 0.0, 4 / 5]]
    return out


@graded(task=2, points=2, expect=_zero_division_expected(), names=("precision", "recall", "f1"))
def test_zero_division_policies(lab):
    """zero_division fills only the 0/0 ratios; F comes from counts, so it is 0 for classes 1 and 2 (indexes) even
    with zero_division=1."""
    tp, fp, fn = [0, 0, 0, 2], [0, 3, 0, 0], [0, 0, 4, 1]
    return {key: list(lab.fbeta_from_counts(tp, fp, fn, zero_division=z))
            for key, z in (("0", 0), ("1", 1), ("nan", NAN))}


# ---------------------------------------------------------------------------------- Task 3


@graded(task=3, points=1, expect=[[3 / 4, 1 / 3, 0.0], [3 / 5, 1 / 2, 0.0], [2 / 3, 2 / 5, 0.0], [5, 2, 1]],
        names=("precision", "recall", "f1", "support"))
def test_average_none_hand(lab):
    """average=None: per-class precision, recall, F1 and the true support of each class."""
    return list(lab.precision_recall_fscore(Y3_TRUE, Y3_PRED, average=None))


@graded(task=3, points=1, expect=[13 / 36, 11 / 30, 16 / 45], names=("precision", "recall", "f1"))
def test_macro_hand(lab):
    """Macro-F1 = mean of the per-class F1 (2/3, 2/5, 0) = 16/45, not the F1 of macro-P and macro-R (0.3639)."""
    return list(lab.precision_recall_fscore(Y3_TRUE, Y3_PRED, average="macro")[:3])


@graded(task=3, points=1, expect=[1 / 2, 1 / 2, 1 / 2], names=("precision", "recall", "f1"))
def test_micro_hand(lab):
    """Micro pools the counts: TP=4, FP=4, FN=4 gives 1/2 for all three (the mean of per-class F1 is 16/45)."""
    return list(lab.precision_recall_fscore(Y3_TRUE, Y3_PRED, average="micro")[:3])


@graded(task=3, points=1, expect=[53 / 96, 1 / 2, 31 / 60], names=("precision", "recall", "f1"))
def test_weighted_hand(lab):
    """Weighted by TRUE support [5, 2, 1]; weighting by predicted counts [4, 3, 1] would give F = 29/60."""
    return list(lab.precision_recall_fscore(Y3_TRUE, Y3_PRED, average="weighted")[:3])


@graded(task=3, points=1, expect=[1 / 2, 1 / 3, 2 / 5], names=("precision", "recall", "f1"))
def test_binary_pos_label(lab):
    """average='binary' scores pos_label only: spam has TP=1, FP=1, FN=2."""
    y_true = ["ham", "spam", "spam", "ham", "spam"]
    y_pred = ["spam", "spam", "ham", "ham", "ham"]
    return list(lab.precision_recall_fscore(y_true, y_pred, average="binary", pos_label="spam")[:3])


def _micro_equals_accuracy(got):
    y_true, y_pred = _seeded_labels(3, 40, 5)
    acc = float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
    assert_close(got, [acc, acc, acc], rtol=1e-12, name="micro (precision, recall, F1) vs accuracy")


@graded(task=3, points=1, check=_micro_equals_accuracy)
def test_micro_is_accuracy(lab):
    """Single-label multiclass data scored over all its classes: micro P = R = F1 = accuracy."""
    y_true, y_pred = _seeded_labels(3, 40, 5)
    return list(lab.precision_recall_fscore(y_true, y_pred, average="micro")[:3])


@graded(task=3, points=1, expect=[3 / 4, 7 / 8, 0.3, NAN])
def test_nan_average(lab):
    """NaN entries drop out (with their weights); zero total weight falls back to the plain mean; all NaN gives NaN."""
    return [
        lab.nan_average([0.5, NAN, 1.0]),
        lab.nan_average([0.5, NAN, 1.0], weights=[1, 5, 3]),
        lab.nan_average([0.2, 0.4], weights=[0, 0]),
        lab.nan_average([NAN, NAN]),
    ]


@graded(task=3, points=2, expect={"macro zd=0": 13 / 24, "macro zd=1": 19 / 24, "macro zd=nan": 13 / 18,
                                  "per-class zd=nan": [1.0, 1 / 2, 2 / 3, NAN]})
def test_absent_class(lab):
    """Label 3 never occurs: with zero_division=nan its F1 is NaN and macro averages the other three."""
    y_true, y_pred = [0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 1]
    out = {}
    for key, z in (("0", 0.0), ("1", 1.0), ("nan", NAN)):
        out[f"macro zd={key}"] = lab.precision_recall_fscore(
            y_true, y_pred, labels=[0, 1, 2, 3], average="macro", zero_division=z)[2]
    out["per-class zd=nan"] = lab.precision_recall_fscore(
        y_true, y_pred, labels=[0, 1, 2, 3], average=None, zero_division=NAN)[2]
    return out


# ---------------------------------------------------------------------------------- Task 4


@graded(task=4, points=3, expect=[[3 / 5, 3 / 4, 2 / 3, 1.0, 1.0], [1.0, 1.0, 2 / 3, 1 / 3, 0.0], [0.1, 0.3, 0.8, 0.9]],
        names=("precision", "recall", "thresholds"))
def test_pr_curve_hand(lab):
    """Thresholds increase; at t = 0.8 BOTH tied samples are predicted positive (s >= t): TP=2, FP=1."""
    return list(lab.precision_recall_curve(Y4_TRUE, S4))


@graded(task=4, points=2, expect=(1 / 3) * 1.0 + (1 / 3) * (2 / 3) + (1 / 3) * (3 / 4))
def test_ap_hand(lab):
    """AP = sum of (recall step) x (precision at that point) = 29/36; the trapezoid area would be 0.847."""
    return lab.average_precision(Y4_TRUE, S4)


@graded(task=4, points=2, expect={"threshold": 0.3, "f1": 6 / 7, "precision": 3 / 4, "recall": 1.0})
def test_best_threshold_hand(lab):
    """F1 at t = 0.1, 0.3, 0.8, 0.9 is 3/4, 6/7, 2/3, 1/2: the best threshold is 0.3."""
    return lab.best_f1_threshold(Y4_TRUE, S4)


# ---------------------------------------------------------------------------------- Task 5


@graded(task=5, points=2, expect={"prevalence": 0.01, "accuracy_all_negative": 0.99, "f1_all_negative": 0.0,
                                  "accuracy_all_positive": 0.01, "f1_all_positive": 20 / 1010,
                                  "ap_constant_score": 0.01})
def test_trivial_baselines(lab):
    """10 positives in 1000: always-negative is 99% accurate with F1 = 0; a constant score has AP = prevalence."""
    return lab.trivial_baselines([1] * 10 + [0] * 990)


@graded(task=5, points=2, expect=[NAN, NAN, NAN, 1 / 2, 1 / 3])
def test_iso_f1(lab):
    """F1 = 0.5: P = FR/(2R - F); undefined for R <= 0.25, above 1 for R < 1/3 (NaN), 1/2 at R = 1/2."""
    return lab.iso_f1_precision(0.5, [0.2, 0.25, 0.3, 0.5, 1.0])


# ---------------------------------------------------------------------------------- Every task: common slips


def _unchanged(value, before):
    return (bool(np.array_equal(np.asarray(value, dtype=object), np.asarray(before, dtype=object)))
            and type(value) is type(before))


@graded(task=1, points=1, expect={"labels list unchanged": True, "y_true unchanged": True, "y_pred unchanged": True,
                                  "tp": [1, 1], "fp": [1, 0], "confusion dtype": "int64"})
def test_inputs_not_changed(lab):
    """Your functions must not change their arguments: per_class_counts(labels=[0, 2]) leaves that list as it was.
    Counts are int64 (the docstring's promise), not floats."""
    labels = [0, 2]
    y_true, y_pred = np.array([0, 1, 2, 2, 3]), np.array([0, 0, 2, 1, 3])
    counts = lab.per_class_counts(y_true, y_pred, labels)
    return {"confusion dtype": str(np.asarray(lab.confusion_counts(y_true, y_pred, labels)).dtype),
            "labels list unchanged": labels == [0, 2],
            "y_true unchanged": y_true.tolist() == [0, 1, 2, 2, 3],
            "y_pred unchanged": y_pred.tolist() == [0, 0, 2, 1, 3],
            "tp": counts["tp"], "fp": counts["fp"]}


@graded(task=2, points=1, expect={"default zd": [0.5, 0.0, 2.0], "zd=1": [0.5, 1.0, 2.0], "scalar": 0.25,
                                  "dtype": "float64", "shape": [2, 2], "warnings": 0})
def test_safe_divide_defaults(lab):
    """The default zero_division is 0; zero_division=1 fills 1; scalars and 2-D inputs work elementwise as float64.
    safe_divide never warns, even where it divides 0 by 0."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="warn"):
            grid = lab.safe_divide(np.array([[1, 2], [3, 4]]), np.array([[1, 1], [1, 0]]), 1.0)
            lab.safe_divide([0.0, 1.0], [0.0, 0.0], NAN)
    return {"warnings": len(caught),"default zd": lab.safe_divide([1, 0, 4], [2, 0, 2]),
            "zd=1": lab.safe_divide([1, 0, 4], [2, 0, 2], zero_division=1),
            "scalar": float(lab.safe_divide(1, 4)),
            "dtype": str(np.asarray(lab.safe_divide([1], [3])).dtype),
            "shape": list(np.shape(grid))}


@graded(task=3, points=1, expect={"sorted present": [0, 1, 2, 5], "given order": [5, 0], "binary": ["b"],
                                  "nan_average empty": NAN, "nan_average weighted": 0.25,
                                  "accuracy": 0.6})
def test_labels_average_accuracy(lab):
    """select_labels: sorted labels present in EITHER list, `labels` in the caller's order, [pos_label] for binary.
    nan_average of nothing is NaN; weights follow their values. accuracy = fraction of equal pairs."""
    return {"sorted present": lab.select_labels([5, 0, 1], [2, 0, 1]),
            "given order": lab.select_labels([5, 0, 1], [2, 0, 1], labels=[5, 0]),
            "binary": lab.select_labels(["a", "b"], ["b", "b"], average="binary", pos_label="b"),
            "nan_average empty": lab.nan_average([]),
            "nan_average weighted": lab.nan_average([0.0, 1.0, NAN], weights=[3.0, 1.0, 9.0]),
            "accuracy": lab.accuracy(["a", "b", "c", "a", "b"], ["a", "b", "a", "a", "c"])}


@graded(task=4, points=1, expect={"ap": 1 / 2,
                                  "best": {"threshold": 0.7, "f1": 4 / 5, "precision": 2 / 3, "recall": 1.0},
                                  "f1 at points": [0.0, 2 / 3, 1.0], "scores unchanged": True,
                                  "no positives": [[0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.1, 0.3]],
                                  "one positive": [[1 / 3, 1 / 2, 0.0, 1.0], [1.0, 1.0, 0.0, 0.0], [0.1, 0.2, 0.3]]})
def test_thresholds_pos_label(lab):
    """pos_label picks the positive class for AP and the best threshold; F1 at a point with P = R = 0 is 0.
    Sorting the scores must not reorder the caller's array. Without positives, recall is 1 at every threshold."""
    y = ["ok", "fraud", "ok", "fraud"]
    s = np.array([0.9, 0.8, 0.7, 0.2])
    ap = lab.average_precision(y, s, pos_label="fraud")
    best = lab.best_f1_threshold(["ok", "fraud", "fraud", "ok"], [0.8, 0.9, 0.7, 0.1], pos_label="fraud")
    best["threshold"] = round(best["threshold"], 12)
    return {"ap": ap, "best": best, "f1 at points": lab.f1_at_thresholds([0.0, 0.5, 1.0], [0.0, 1.0, 1.0]),
            "no positives": list(lab.precision_recall_curve([0, 0, 0], [0.3, 0.1, 0.3])),
            "one positive": list(lab.precision_recall_curve([0, 1, 0], [0.3, 0.2, 0.1])),
            "scores unchanged": s.tolist() == [0.9, 0.8, 0.7, 0.2]}


@graded(task=5, points=1, expect={"prevalence": 0.5, "accuracy_all_negative": 0.5, "f1_all_negative": 0.0,
                                  "accuracy_all_positive": 0.5, "f1_all_positive": 2 / 3, "ap_constant_score": 0.5})
def test_trivial_baselines_pos_label(lab):
    """pos_label='spam': half the messages are spam, so always-positive has P = 1/2, R = 1, F1 = 2/3."""
    return lab.trivial_baselines(["spam", "ham", "spam", "ham"], pos_label="spam")


def _raises(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001  (the test records which exception came)
        return {"raised": type(exc).__name__}
    return {"raised": None}


@graded(task=3, points=1, expect={"multiclass": {"raised": "ValueError"}, "wrong pos_label": {"raised": "ValueError"},
                                  "one class": {"raised": None}})
def test_binary_errors(lab):
    """average='binary' refuses multiclass data and a pos_label that is not one of the two classes."""
    return {
        "multiclass": _raises(lambda: lab.precision_recall_fscore([0, 1, 2], [0, 1, 1], average="binary")),
        "wrong pos_label": _raises(lambda: lab.precision_recall_fscore(["a", "b"], ["a", "a"], average="binary")),
        "one class": _raises(lambda: lab.precision_recall_fscore([0, 0], [0, 0], average="binary")),
    }


@graded(task=1, points=1, expect={"tp": [1, 0], "fp": [1, 0], "fn": [0, 1], "support": [1, 1]})
def test_per_class_mixed_label_types(lab):
    """Errors against labels of another type (a string among ints) still count, without comparing them to ints."""
    return lab.per_class_counts([0, "x", 1, 2.5], [0, 0, "y", 2.5], [0, 1])


@graded(task=5, points=1, expect={"P = 1 exactly is kept": [1.0, NAN], "scalar recall": 0.4 * 0.8 / 1.2})
def test_iso_f1_edges(lab):
    """At F = 1 and R = 1 the precision is exactly 1 (kept: only P > 1 is NaN); R = F/2 has no precision.
    A scalar recall works too."""
    return {"P = 1 exactly is kept": lab.iso_f1_precision(1.0, [1.0, 0.5]),
            "scalar recall": float(lab.iso_f1_precision(0.4, 0.8))}


### BEGIN HIDDEN TESTS


@graded(task=1, points=1, expect=REFERENCE)
def test_confusion_random(lab):
    """5 classes in a shuffled order, one of them never occurring, 40 samples."""
    y_true, y_pred = _seeded_labels(0, 40, 5)
    return lab.confusion_counts(y_true, y_pred, labels=[3, 0, 5, 2, 1])


@graded(task=1, points=1, expect=REFERENCE)
def test_per_class_random(lab):
    """Per-class counts on random labels, for all classes and for label subsets (with absent labels)."""
    y_true, y_pred = _seeded_labels(1, 30, 5)
    return [lab.per_class_counts(y_true, y_pred, labels) for labels in ([0, 1, 2, 3, 4], [4, 1], [2, 7, 0])]


def _random_counts(seed):
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 4, size=(3, 8))
    counts[:, 0] = 0  # an absent class
    counts[0, 1] = counts[2, 1] = 0  # predicted never, but present
    counts[0, 2] = counts[1, 2] = 0  # present never, but predicted
    return counts.tolist()


@graded(task=2, points=2, expect=REFERENCE, rtol=1e-12)
def test_prf_random(lab):
    """P, R and F-beta on random counts with zeros, for beta in (0.5, 1, 2, 3) and every zero_division policy."""
    tp, fp, fn = _random_counts(2)
    return {f"beta={b} zd={z}": list(lab.fbeta_from_counts(tp, fp, fn, beta=b, zero_division=z))
            for b in (0.5, 1.0, 2.0, 3.0) for z in (0.0, 1.0, NAN)}


@graded(task=3, points=3, expect=REFERENCE, rtol=1e-12)
def test_prf_all_averages_random(lab):
    """Every average, zero_division policy and beta on random labels, with absent classes and label subsets."""
    out = {}
    for seed, n, k in ((4, 30, 5), (5, 8, 3), (6, 50, 8)):
        y_true, y_pred = _seeded_labels(seed, n, k)
        y_true = [y for y in y_true if y != 1] + [0]  # class 1 now only predicted
        y_pred = y_pred[: len(y_true)]
        for labels in (None, [0, 1, 2], [2, k + 1], [k + 1]):
            for average in (None, "micro", "macro", "weighted"):
                for z in (0.0, 1.0, NAN):
                    for beta in (0.5, 1.0, 2.0):
                        p, r, f, s = lab.precision_recall_fscore(
                            y_true, y_pred, labels=labels, average=average, zero_division=z, beta=beta)
                        out[f"seed={seed} labels={labels} average={average} zd={z} beta={beta}"] = [p, r, f, s]
    return out


def _scores(seed, n, prevalence=0.3, decimals=1):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < prevalence).astype(int)
    s = np.round(np.clip(rng.normal(0.5 + 0.2 * (2 * y - 1), 0.25), 0, 1), decimals)  # rounding makes ties
    return y.tolist(), s.tolist()


@graded(task=4, points=2, expect=REFERENCE, rtol=1e-12)
def test_pr_curve_random(lab):
    """PR curves with many tied scores, string labels with pos_label, and a window without positives."""
    out = {}
    for seed, n in ((7, 30), (8, 53)):
        y, s = _scores(seed, n)
        out[f"seed={seed}"] = list(lab.precision_recall_curve(y, s))
    y, s = _scores(9, 20, decimals=2)
    out["strings"] = list(lab.precision_recall_curve(["fraud" if v else "ok" for v in y], s, pos_label="fraud"))
    out["no positives"] = list(lab.precision_recall_curve([0] * 5, [0.3, 0.1, 0.3, 0.8, 0.5]))
    return out


@graded(task=4, points=1, expect=REFERENCE, rtol=1e-12)
def test_ap_random(lab):
    """Average precision on random scores with ties, at several prevalences, and without positives (0)."""
    out = [lab.average_precision(*_scores(seed, 60, prevalence))
           for seed, prevalence in ((10, 0.1), (11, 0.5), (12, 0.8))]
    return out + [lab.average_precision([0, 0, 0], [0.2, 0.7, 0.2])]


@graded(task=4, points=1, expect=REFERENCE, rtol=1e-12)
def test_best_threshold_random(lab):
    """The F1-optimal threshold on random scores with ties; equal F1 goes to the largest threshold."""
    # Tie: F1 is 2/3 at both t = 0.3 (P=1/2, R=1) and t = 0.9 (P=1, R=1/2), so 0.9 wins.
    # Top score negative: at t = 0.9, P = R = 0 and F1 must be 0, not NaN.
    return [lab.best_f1_threshold(*_scores(seed, 40)) for seed in (13, 14, 15)] + [
        lab.best_f1_threshold([1, 0, 0, 1], [0.9, 0.7, 0.5, 0.3]),
        lab.best_f1_threshold([0, 1, 1, 0], [0.9, 0.6, 0.4, 0.2]),
    ]


def _figure_matches(got, ref):
    assert got["png written"], "plot_pr_curve(..., path) should save a PNG file at path"
    assert_close(got["data"], ref["data"], rtol=1e-12, name="plot_pr_curve data")


@graded(task=5, points=2, check=_figure_matches)
def test_figure_data(lab):
    """The PR figure plots your curve, your iso-F1 lines and your best threshold; it saves a PNG."""
    import os
    import tempfile

    y, s = _scores(16, 120, prevalence=0.2, decimals=2)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "f1-pr-curve.png")
        data = lab.plot_pr_curve(y, s, path)
        return {"data": data, "png written": os.path.isfile(path) and os.path.getsize(path) > 0}


def _label_battery():
    """Seeded (y_true, y_pred) pairs: absent classes, classes on one side only, strings, 1 and 2 samples."""
    rng = np.random.default_rng(2024)
    cases = []
    for n, k in ((1, 2), (2, 2), (7, 3), (25, 4), (60, 6)):
        y_true, y_pred = rng.integers(0, k, n).tolist(), rng.integers(0, k, n).tolist()
        cases.append((y_true, y_pred))
        cases.append(([t for t in y_true], [p if p != 0 else k for p in y_pred]))  # class k only predicted
    cases.append((["b", "a", "c", "a"], ["a", "a", "c", "d"]))
    return cases




@graded(task=1, points=1, expect=REFERENCE)
def test_counts_battery(lab):
    """Confusion and per-class counts on a seeded battery, with label subsets, unknown labels and numpy inputs."""
    out = []
    for y_true, y_pred in _label_battery():
        present = sorted(set(y_true) | set(y_pred), key=repr)
        for labels in (present, present[::-1], present[:1] + ["zz"], present[1:]):
            labels_copy = list(labels)
            cm = lab.confusion_counts(np.asarray(y_true), np.asarray(y_pred), labels)
            pc = lab.per_class_counts(y_true, y_pred, labels)
            out.append([cm, pc, labels == labels_copy])
    return out

@graded(task=2, points=1, expect=REFERENCE, rtol=1e-12)
def test_fbeta_battery(lab):
    """F-beta from counts: every zero pattern, large counts, beta from 0.25 to 4, every zero_division policy."""
    rng = np.random.default_rng(5)
    tp, fp, fn = rng.integers(0, 3, (3, 27))
    big = [10**12, 3 * 10**12, 7]
    out = {}
    for beta in (0.25, 1.0, 1.5, 4.0):
        for z in (0, 1, NAN):
            out[f"beta={beta} zd={z}"] = list(lab.fbeta_from_counts(tp.tolist() + [big[0]], fp.tolist() + [big[1]],
                                                                  fn.tolist() + [big[2]], beta=beta, zero_division=z))
    out["default"] = list(lab.fbeta_from_counts(tp, fp, fn))
    return out


@graded(task=3, points=1, expect=REFERENCE, rtol=1e-12, names=("precision", "recall", "f", "support"))
def test_prf_battery(lab):
    """precision_recall_fscore on the battery: binary with pos_label (ints and strings), every average,
    beta and policy."""
    out = {}
    for i, (y_true, y_pred) in enumerate(_label_battery()):
        present = sorted(set(y_true) | set(y_pred), key=repr)
        for average in (None, "micro", "macro", "weighted"):
            for z in (0.0, 1.0, NAN):
                out[f"{i} {average} zd={z}"] = list(lab.precision_recall_fscore(
                    y_true, y_pred, average=average, zero_division=z, beta=2.0))
        if len(present) <= 2:
            for pos in present:
                out[f"{i} binary pos={pos!r}"] = list(lab.precision_recall_fscore(
                    y_true, y_pred, average="binary", pos_label=pos, beta=0.5, zero_division=1.0))
        out[f"{i} accuracy"] = [lab.accuracy(y_true, y_pred), 0.0, 0.0, None]
    y_true, y_pred = _label_battery()[4]
    out["default average"] = list(lab.precision_recall_fscore(y_true, y_pred))
    out["binary default pos_label"] = list(lab.precision_recall_fscore([0, 1, 1, 0], [1, 1, 0, 0], average="binary"))
    out["binary only negatives"] = list(lab.precision_recall_fscore([0, 0], [0, 0], average="binary"))
    return out


@graded(task=4, points=1, expect=REFERENCE, rtol=1e-12)
def test_threshold_battery(lab):
    """Curves, AP and best threshold on seeded scores: all tied, one sample, unsorted input, no
    negatives, pos_label=0."""
    out = []
    rng = np.random.default_rng(17)
    cases = [([1], [0.5]), ([0, 1, 1], [0.4, 0.4, 0.4]), ([1, 1, 1], [0.3, 0.9, 0.1]), ([0, 0, 1], [0.2, 0.2, 0.1])]
    for n in (5, 12, 40):
        cases.append((rng.integers(0, 2, n).tolist(), np.round(rng.random(n), 1).tolist()))
    for y, s in cases:
        for pos in (1, 0):
            s_arr = np.array(s)
            out.append([list(lab.precision_recall_curve(y, s_arr, pos_label=pos)),
                        lab.average_precision(y, s_arr, pos_label=pos),
                        lab.best_f1_threshold(y, s_arr, pos_label=pos) if (np.asarray(y) == pos).any() else {},
                        s_arr.tolist() == list(s)])
    return out


@graded(task=5, points=1, expect=REFERENCE, rtol=1e-12)
def test_task5_battery(lab):
    """Baselines with pos_label and without positives; iso-F1 lines for several F values and a scalar recall."""
    out = [lab.trivial_baselines([0, 0, 0]), lab.trivial_baselines([2, 1, 2, 2, 0], pos_label=2),
           lab.trivial_baselines(["x", "y"], pos_label="y")]
    r = np.linspace(0.0, 1.0, 21)
    out += [lab.iso_f1_precision(f, r) for f in (0.1, 0.5, 2 / 3, 0.9, 1.0)]
    out.append(lab.iso_f1_precision(0.4, 0.8))
    return out


@graded(task=5, points=1, expect=REFERENCE, rtol=1e-12)
def test_figure_levels(lab):
    """plot_pr_curve without a path draws nothing but returns the data, for the iso-F1 levels it is given."""
    y, s = _scores(18, 40, prevalence=0.4, decimals=2)
    return lab.plot_pr_curve(y, s, None, levels=(0.3, 0.7, 0.9))


### END HIDDEN TESTS
