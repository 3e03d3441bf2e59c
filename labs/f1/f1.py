"""Precision, recall and F1 for monitoring classifiers: the reference solution, as a lesson.

A monitoring dashboard that shows "F1 = 0.93" makes a claim about counts: how many alerts were
right (precision), how many real cases were caught (recall), and how those numbers were pooled
over classes. This file computes every one of them from scratch with numpy and matches
scikit-learn's ``precision_recall_fscore_support``, ``precision_recall_curve`` and
``average_precision_score`` (scikit-learn 1.9), including the edge cases that break dashboards:
a class that never occurs in a window, a window without positives, tied scores.

Sources:

* scikit-learn user guide, "Precision, recall and F-measures" and "Precision-recall curve",
  https://scikit-learn.org/stable/modules/model_evaluation.html, and the source of
  ``sklearn/metrics/_classification.py`` and ``sklearn/metrics/_ranking.py`` (1.9).
* C. J. van Rijsbergen, *Information Retrieval*, 2nd ed. (1979), ch. 7: the F-measure
  (effectiveness E = 1 - F).
* Z. C. Lipton, C. Elkan, B. Narayanaswamy, "Thresholding Classifiers to Maximize F1 Score",
  arXiv:1402.1892 (2014): for calibrated probabilities the F1-optimal threshold is F1*/2.
* T. Saito, M. Rehmsmeier, "The Precision-Recall Plot Is More Informative than the ROC Plot
  When Evaluating Binary Classifiers on Imbalanced Datasets", PLoS ONE 10(3) (2015).

Conventions used throughout (the same as scikit-learn's):

* labels are any hashable values (ints or strings); a confusion matrix has **rows = true
  class, columns = predicted class**;
* ``zero_division`` is the value given to a ratio whose denominator is 0: ``0.0``, ``1.0`` or
  ``nan`` (a NaN then drops out of every average);
* a score ``s`` is predicted positive at threshold ``t`` when ``s >= t``.

Run ``python f1.py`` to draw the lab's figures into the current folder.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

AVERAGES = (None, "binary", "micro", "macro", "weighted")


# ---------------------------------------------------------------------------------------------
# Task 1: confusion counts
# ---------------------------------------------------------------------------------------------


def confusion_counts(y_true, y_pred, labels) -> np.ndarray:
    """The confusion matrix ``C`` over ``labels``: rows are true classes, columns predictions.

    $$C_{ij} = \\#\\{n : y^{true}_n = \\text{labels}_i,\\ y^{pred}_n = \\text{labels}_j\\}$$

    A sample whose true or predicted label is not in ``labels`` is not counted (as in
    ``sklearn.metrics.confusion_matrix``). Returns an int64 array of shape (K, K), K = len(labels).
    """
    ### BEGIN SOLUTION (count each (true, predicted) pair; rows = true class, columns = predicted)
    # A dict from label to row/column index: labels may be strings, and their order is the caller's.
    index = {label: i for i, label in enumerate(labels)}
    counts = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        # Samples outside the chosen labels are skipped, not counted as errors.
        if t in index and p in index:
            counts[index[t], index[p]] += 1
    return counts
    ### END SOLUTION


def per_class_counts(y_true, y_pred, labels) -> dict:
    """One-vs-rest counts for each label in ``labels``, as int64 arrays of length K.

    For class k: ``tp`` = true k predicted k; ``fp`` = predicted k but true class is another;
    ``fn`` = true k predicted as another; ``support`` = number of true k (= tp + fn).
    From a confusion matrix over *all* classes: tp = diagonal, fp = column sum - tp,
    fn = row sum - tp.

    Errors against classes outside ``labels`` still count: with labels=[0, 1], a sample with
    true class 2 predicted as 0 is a false positive of class 0.
    Returns ``{"tp": ..., "fp": ..., "fn": ..., "support": ...}``.
    """
    ### BEGIN SOLUTION (tp = diagonal, fp = column sum - tp, fn = row sum - tp, over all classes)
    labels = list(labels)
    # Extend the label list with every other label that occurs, so that a matrix restricted to
    # ``labels`` does not silently drop the errors made against the other classes.
    known = set(labels)
    others = sorted({v for v in list(y_true) + list(y_pred) if v not in known}, key=repr)
    matrix = confusion_counts(y_true, y_pred, labels + others)
    k = len(labels)
    tp = np.diag(matrix)[:k]
    # Column j holds everything *predicted* as j; row i everything that *is* i.
    fp = matrix.sum(axis=0)[:k] - tp
    fn = matrix.sum(axis=1)[:k] - tp
    return {"tp": tp, "fp": fp, "fn": fn, "support": tp + fn}
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 2: precision, recall and F-beta from counts
# ---------------------------------------------------------------------------------------------


def _check_zero_division(zero_division) -> float:
    """The zero-division policy as a float: 0.0, 1.0 or nan (anything else is an error)."""
    value = float(zero_division)
    if not (value in (0.0, 1.0) or math.isnan(value)):
        raise ValueError(f"zero_division must be 0, 1 or nan, got {zero_division!r}")
    return value


def safe_divide(numerator, denominator, zero_division=0.0) -> np.ndarray:
    """Elementwise ``numerator / denominator`` as float64, ``zero_division`` where denominator == 0.

    Never warns and never raises: an empty class is normal in a monitoring window.
    ``_check_zero_division`` (given above) turns the policy into a float and rejects others.
    """
    ### BEGIN SOLUTION (divide where the denominator is nonzero, put zero_division elsewhere)
    value = _check_zero_division(zero_division)
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    # Divide by 1 where the denominator is 0 (so numpy never sees 0/0), then overwrite.
    zero = den == 0
    result = num / np.where(zero, 1.0, den)
    return np.where(zero, value, result)
    ### END SOLUTION


def fbeta_from_counts(tp, fp, fn, beta=1.0, zero_division=0.0):
    """Precision, recall and F-beta, elementwise, from one-vs-rest counts.

    $$P = \\frac{TP}{TP + FP}, \\qquad R = \\frac{TP}{TP + FN}, \\qquad
      F_\\beta = \\frac{(1 + \\beta^2)\\,P R}{\\beta^2 P + R}
              = \\frac{(1 + \\beta^2)\\,TP}{(1 + \\beta^2)\\,TP + \\beta^2 FN + FP}$$

    F1 (beta = 1) is the harmonic mean of P and R: 2PR/(P+R) = 2TP/(2TP + FP + FN).
    beta > 1 weights recall (a missed positive, FN, costs beta^2 times a false alarm).

    F is computed from the counts, so it is undefined only when TP + FP + FN = 0. With
    zero_division=1, a class that is never predicted and occurs once has P = 1 (0/0), R = 0
    and F = 0 (0/1), not 1. Returns a tuple ``(precision, recall, fbeta)`` of float64 arrays.
    """
    ### BEGIN SOLUTION (P = TP/(TP+FP), R = TP/(TP+FN), F from the counts; zero_division where 0/0)
    if not beta > 0:
        raise ValueError(f"beta must be positive, got {beta!r}")
    tp = np.asarray(tp, dtype=np.float64)
    fp = np.asarray(fp, dtype=np.float64)
    fn = np.asarray(fn, dtype=np.float64)
    precision = safe_divide(tp, tp + fp, zero_division)
    recall = safe_divide(tp, tp + fn, zero_division)
    # From counts, not from P and R: the result is defined whenever any count is nonzero,
    # and a class without predictions gets F = 0 even when its precision was set to 1.
    b2 = float(beta) ** 2
    fbeta = safe_divide((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp, zero_division)
    return precision, recall, fbeta
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 3: averaging over classes
# ---------------------------------------------------------------------------------------------


def nan_average(values, weights=None) -> float:
    """The (weighted) mean of ``values``, ignoring NaN entries (and their weights).

    * all entries NaN, or no entries: NaN;
    * weights given but the kept weights sum to 0: the unweighted mean of the kept values
      (scikit-learn's rule, e.g. ``average="weighted"`` over classes that never occur).
    """
    ### BEGIN SOLUTION (drop NaN entries with their weights; fall back to the plain mean if weights sum to 0)
    values = np.asarray(values, dtype=np.float64)
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    if weights is None:
        return float(values[keep].mean())
    w = np.asarray(weights, dtype=np.float64)[keep]
    if w.sum() == 0:
        return float(values[keep].mean())
    return float(np.sum(values[keep] * w) / w.sum())
    ### END SOLUTION


def select_labels(y_true, y_pred, labels=None, average=None, pos_label=1) -> list:
    """The labels to score, in order.

    * ``average="binary"``: just ``[pos_label]``. The data must hold at most two classes
      (ValueError otherwise), and if it holds two, ``pos_label`` must be one of them
      (ValueError otherwise: a wrong ``pos_label`` would silently score an empty class).
    * otherwise ``labels`` if given, else the sorted set of labels in y_true and y_pred.
    """
    ### BEGIN SOLUTION (binary: [pos_label] after checking the data; else labels or the sorted present labels)
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}")
    present = sorted(set(y_true) | set(y_pred))
    if average == "binary":
        if len(present) > 2:
            raise ValueError(f"average='binary' needs at most two classes, the data hold {present}")
        if len(present) == 2 and pos_label not in present:
            raise ValueError(f"pos_label={pos_label!r} is not one of the classes {present}")
        return [pos_label]
    return list(labels) if labels is not None else present
    ### END SOLUTION


def precision_recall_fscore(y_true, y_pred, *, labels=None, average=None, pos_label=1, beta=1.0,
                            zero_division=0.0):
    """Precision, recall, F-beta and support, like ``sklearn.metrics.precision_recall_fscore_support``.

    * ``average=None``: per-class arrays (in the order of :func:`select_labels`) and support;
    * ``"binary"``: the scores of ``pos_label`` only;
    * ``"micro"``: pool TP, FP, FN over the classes, then divide once. For single-label
      multiclass data scored over all classes, micro P = R = F1 = accuracy;
    * ``"macro"``: the plain mean of the per-class scores (macro-F1 is the mean of per-class
      F1, not the F1 of macro-P and macro-R);
    * ``"weighted"``: the mean of per-class scores weighted by **true** support.

    Averages skip NaN (zero_division=nan), see :func:`nan_average`. With an average, returns
    floats ``(p, r, f, None)``; without, ``(p, r, f, support)`` arrays.
    """
    ### BEGIN SOLUTION (labels, per-class counts, pool them for micro, divide, then average)
    chosen = select_labels(y_true, y_pred, labels, average, pos_label)
    counts = per_class_counts(y_true, y_pred, chosen)
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    if average == "micro":
        # Micro pools the counts first: every *sample* weighs the same, not every class.
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
    precision, recall, fbeta = fbeta_from_counts(tp, fp, fn, beta, zero_division)
    if average is None:
        return precision, recall, fbeta, counts["support"]
    # Weighted uses the number of TRUE samples per class; the other averages weigh classes equally
    # (for micro and binary there is only one value left to "average").
    weights = counts["support"] if average == "weighted" else None
    return (nan_average(precision, weights), nan_average(recall, weights),
            nan_average(fbeta, weights), None)
    ### END SOLUTION


def accuracy(y_true, y_pred) -> float:
    """Fraction of samples whose prediction equals the true label."""
    ### BEGIN SOLUTION (mean of y_true == y_pred)
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 4: thresholds: the precision-recall curve, average precision, the F1-optimal threshold
# ---------------------------------------------------------------------------------------------


def precision_recall_curve(y_true, scores, pos_label=1):
    """Precision and recall at every distinct score used as threshold (predict ``s >= t``).

    Like ``sklearn.metrics.precision_recall_curve`` (drop_intermediate=False):

    * ``thresholds``: the distinct scores, increasing (length T);
    * ``precision[i]``, ``recall[i]``: at threshold ``thresholds[i]``; then one last point
      (precision 1, recall 0) with no threshold, so both have length T + 1;
    * recall = TP / (number of positives); if there are no positives, recall is 1 at every
      threshold (scikit-learn's convention; it warns).

    Returns ``(precision, recall, thresholds)`` as float64 arrays.
    """
    ### BEGIN SOLUTION (sort by score, count TP and FP at each distinct score with >=, add the end point)
    y = np.asarray(y_true) == pos_label
    s = np.asarray(scores, dtype=np.float64)
    # Sort by decreasing score: the first j samples are exactly those predicted positive at
    # threshold s[j-1]. A stable sort keeps the result independent of the input order of ties.
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    tps = np.cumsum(y)
    fps = np.cumsum(~y)
    # With ">=", all samples tied at a score switch on together: keep the LAST index of each
    # run of equal scores (where the next score is lower, and the very end).
    last = np.r_[np.flatnonzero(np.diff(s) != 0), s.size - 1]
    tps, fps, thresholds = tps[last].astype(np.float64), fps[last].astype(np.float64), s[last]
    # Every threshold predicts at least one sample, so tps + fps > 0.
    precision = tps / (tps + fps)
    recall = tps / tps[-1] if tps[-1] > 0 else np.ones_like(tps)
    # Reverse so thresholds increase and recall decreases; end at (recall 0, precision 1).
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]
    ### END SOLUTION


def average_precision(y_true, scores, pos_label=1) -> float:
    """Average precision: the step sum over the curve, not the trapezoid area.

    $$AP = \\sum_n (R_n - R_{n-1})\\, P_n$$

    with points ordered by decreasing threshold (recall increasing from 0). Interpolating
    linearly between points (the trapezoid rule) is optimistic: precision does not fall
    linearly between two thresholds. Equals ``sklearn.metrics.average_precision_score``; it is
    0 when there are no positives. An uninformative scorer's AP is about the prevalence.
    """
    ### BEGIN SOLUTION (sum over points of the recall step times the precision at that point)
    precision, recall, _ = precision_recall_curve(y_true, scores, pos_label)
    # recall decreases along the arrays, so -diff(recall) are the steps up in recall, each
    # weighted by the precision at the point where the step is reached.
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))
    ### END SOLUTION


def f1_at_thresholds(precision, recall) -> np.ndarray:
    """F1 at each point of a precision-recall curve: 2PR/(P+R), and 0 where P + R = 0."""
    ### BEGIN SOLUTION (harmonic mean of P and R, 0 where both are 0)
    p = np.asarray(precision, dtype=np.float64)
    r = np.asarray(recall, dtype=np.float64)
    return safe_divide(2 * p * r, p + r, 0.0)
    ### END SOLUTION


def best_f1_threshold(y_true, scores, pos_label=1) -> dict:
    """The threshold (one of the scores) that maximizes F1 when predicting ``score >= threshold``.

    Ties go to the **largest** such threshold (fewest alerts for the same F1). The curve's last
    point (recall 0) has no threshold and is not a candidate.
    Returns ``{"threshold", "f1", "precision", "recall"}`` as floats.
    """
    ### BEGIN SOLUTION (F1 at each threshold of the curve; argmax, ties to the largest threshold)
    precision, recall, thresholds = precision_recall_curve(y_true, scores, pos_label)
    f1 = f1_at_thresholds(precision[:-1], recall[:-1])
    # argmax returns the first maximum; searching the reversed array finds the last one,
    # which is the largest threshold because thresholds increase.
    i = len(f1) - 1 - int(np.argmax(f1[::-1]))
    return {"threshold": float(thresholds[i]), "f1": float(f1[i]),
            "precision": float(precision[i]), "recall": float(recall[i])}
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 5: when F1 and accuracy mislead; iso-F1 lines for the figure
# ---------------------------------------------------------------------------------------------


def trivial_baselines(y_true, pos_label=1) -> dict:
    """What classifiers that ignore their input score on ``y_true`` (scored on ``pos_label``).

    Returns floats: ``prevalence`` (fraction of positives); ``accuracy_all_negative`` and
    ``f1_all_negative`` (always predict "not pos_label", zero_division=0);
    ``accuracy_all_positive`` and ``f1_all_positive`` (always predict pos_label);
    ``ap_constant_score`` (the AP of a score that is the same for every sample).
    At 1% prevalence the always-negative classifier is 99% accurate and has F1 = 0.
    """
    ### BEGIN SOLUTION (build the two constant predictions and score them with your own functions)
    y = np.asarray(y_true) == pos_label
    # Work on a boolean view so "not pos_label" needs no made-up label value.
    all_neg = np.zeros_like(y)
    all_pos = np.ones_like(y)
    f1_neg = fbeta_from_counts(0, 0, int(y.sum()))[2]
    f1_pos = fbeta_from_counts(int(y.sum()), int((~y).sum()), 0)[2]
    return {
        "prevalence": float(y.mean()),
        "accuracy_all_negative": accuracy(y, all_neg),
        "f1_all_negative": float(f1_neg),
        "accuracy_all_positive": accuracy(y, all_pos),
        "f1_all_positive": float(f1_pos),
        "ap_constant_score": average_precision(y, np.zeros(y.shape), pos_label=True),
    }
    ### END SOLUTION


def iso_f1_precision(f1, recall) -> np.ndarray:
    """The precision that gives F1 = ``f1`` at each recall (an iso-F1 line of the PR plot).

    Solving F = 2PR/(P+R) for P: $P = \\dfrac{F R}{2R - F}$. No precision in [0, 1] reaches
    F at recall R when R <= F/2 or when that P would exceed 1 (R < F/(2-F)): NaN there.
    """
    ### BEGIN SOLUTION (P = F R / (2R - F) where that lies in [0, 1], NaN elsewhere)
    r = np.asarray(recall, dtype=np.float64)
    den = 2 * r - f1
    ok = den > 0
    p = np.where(ok, f1 * r / np.where(ok, den, 1.0), np.nan)
    return np.where(p <= 1.0, p, np.nan)  # NaN compares False, so it stays NaN
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Figures (given: they use your functions)
# ---------------------------------------------------------------------------------------------


def demo_scores(n: int = 2000, seed: int = 0):
    """A seeded, imbalanced, calibrated toy problem: y ~ Bernoulli(s), s ~ Beta(0.5, 3)."""
    rng = np.random.default_rng(seed)
    scores = np.round(rng.beta(0.5, 3.0, size=n), 3)  # rounding makes ties, as real scores have
    y_true = (rng.random(n) < scores).astype(np.int64)
    return y_true, scores


def plot_pr_curve(y_true, scores, path=None, levels=(0.2, 0.4, 0.6, 0.8)) -> dict:
    """Draw the PR curve with iso-F1 lines and the F1-optimal threshold; return what was drawn.

    Returns ``{"precision", "recall", "thresholds", "iso_recall", "iso_precision" (one row per
    level), "best" ([recall, precision, threshold, f1])}``. Saves a PNG if ``path`` is given.
    """
    precision, recall, thresholds = precision_recall_curve(y_true, scores)
    best = best_f1_threshold(y_true, scores)
    iso_recall = np.linspace(0.01, 1.0, 100)
    iso_precision = np.array([iso_f1_precision(level, iso_recall) for level in levels])
    data = {
        "precision": precision, "recall": recall, "thresholds": thresholds,
        "iso_recall": iso_recall, "iso_precision": iso_precision,
        "best": np.array([best["recall"], best["precision"], best["threshold"], best["f1"]]),
    }
    if path is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(4.5, 4.0))
        for level, row in zip(levels, iso_precision):
            ax.plot(iso_recall, row, color="0.75", lw=0.8)
            j = np.flatnonzero(~np.isnan(row))[-1]
            ax.annotate(f"F1={level:g}", (iso_recall[j], row[j]), fontsize=7, color="0.45",
                        xytext=(-28, 3), textcoords="offset points")
        # A PR curve is a step function: precision holds until recall reaches the next point.
        ax.step(recall, precision, where="post", color="C0", lw=1.5, label="PR curve")
        ax.plot(best["recall"], best["precision"], "o", color="C3",
                label=f"best F1 {best['f1']:.2f} at s >= {best['threshold']:.3f}")
        prevalence = float(np.mean(np.asarray(y_true) == 1))
        ax.axhline(prevalence, color="C2", ls="--", lw=0.8, label=f"prevalence {prevalence:.2f}")
        ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="recall", ylabel="precision",
               title="Precision-recall curve")
        ax.legend(fontsize=7, loc="lower left")
        fig.tight_layout()
        fig.savefig(path, dpi=90)
        plt.close(fig)
    return data


def plot_f1_vs_threshold(y_true, scores, path=None) -> dict:
    """F1 against the threshold, with F1*/2 (the optimum for calibrated scores) and 0.5 marked.

    Returns ``{"thresholds", "f1", "best" ([threshold, f1])}``; saves a PNG if ``path`` is given.
    """
    precision, recall, thresholds = precision_recall_curve(y_true, scores)
    f1 = f1_at_thresholds(precision[:-1], recall[:-1])
    best = best_f1_threshold(y_true, scores)
    data = {"thresholds": thresholds, "f1": f1, "best": np.array([best["threshold"], best["f1"]])}
    if path is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(4.5, 3.2))
        ax.plot(thresholds, f1, color="C0", lw=1.5, label="F1 at s >= t")
        ax.axvline(best["f1"] / 2, color="C3", ls="--", lw=1, label=f"F1*/2 = {best['f1'] / 2:.3f}")
        ax.axvline(0.5, color="0.5", ls=":", lw=1, label="t = 0.5")
        ax.plot(best["threshold"], best["f1"], "o", color="C3")
        ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="threshold t", ylabel="F1",
               title="Calibrated scores: best threshold is F1*/2")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(path, dpi=90)
        plt.close(fig)
    return data


def make_figures(outdir) -> list[Path]:
    """Save the lab's figures (``f1-pr-curve.png``, ``f1-threshold.png``) into ``outdir``."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    y_true, scores = demo_scores()
    paths = [outdir / "f1-pr-curve.png", outdir / "f1-threshold.png"]
    plot_pr_curve(y_true, scores, paths[0])
    plot_f1_vs_threshold(y_true, scores, paths[1])
    return paths


if __name__ == "__main__":
    for figure in make_figures("."):
        print(figure)
