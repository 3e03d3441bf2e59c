"""Project tests for the lab ``f1``: the reference against independent oracles.

The graded tests compare a student's code with the reference, so the reference itself must be
right. These tests check it against scikit-learn (a test-only dependency, never imported by
the lab): ``confusion_matrix``, ``multilabel_confusion_matrix``,
``precision_recall_fscore_support``, ``accuracy_score``, ``f1_score``,
``precision_recall_curve`` and ``average_precision_score``, on seeded random data with
absent classes, label subsets, string labels and tied scores, plus hypothesis properties.

They also check what a graded test cannot see: the stub imports without heavy libraries,
lab.toml points equal the test points, planted bugs name real tests, the lesson lists the lab's
tasks and cards, the figures exist, and the claims of the lesson (F1*/2, AP of a blind scorer).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics

REPO = Path(__file__).resolve().parents[2]
LAB = REPO / "labs" / "f1"


from conftest import load_module as _load  # noqa: E402

f1 = _load(LAB / "f1.py", "f1_reference_under_test")

AVERAGES = [None, "micro", "macro", "weighted"]
ZERO_DIVISION = [0.0, 1.0, np.nan]


def _labels(seed: int, n: int, k: int):
    rng = np.random.default_rng(seed)
    return rng.integers(0, k, n), rng.integers(0, k, n)


def _assert_same_prf(ours, theirs, context):
    for name, a, b in zip(("precision", "recall", "fscore", "support"), ours, theirs):
        if b is None:
            assert a is None, f"{context}: {name} should be None with an average"
            continue
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                   rtol=1e-12, atol=0, equal_nan=True, err_msg=f"{context}: {name}")


# ------------------------------------------------------------------------- task 1: counts


@pytest.mark.parametrize("seed", range(5))
def test_confusion_counts_equals_sklearn(seed):
    y_true, y_pred = _labels(seed, 37, 5)
    for labels in ([0, 1, 2, 3, 4], [4, 2, 0], [3, 1, 6]):
        expected = metrics.confusion_matrix(y_true, y_pred, labels=labels)
        got = f1.confusion_counts(y_true, y_pred, labels)
        assert got.dtype == np.int64 and got.shape == (len(labels), len(labels))
        np.testing.assert_array_equal(got, expected, err_msg=f"labels={labels}")


def test_per_class_counts_equals_multilabel_confusion_matrix():
    y_true, y_pred = _labels(10, 41, 5)
    for labels in ([0, 1, 2, 3, 4], [1], [4, 0, 7]):
        mcm = metrics.multilabel_confusion_matrix(y_true, y_pred, labels=labels)  # [[tn, fp], [fn, tp]]
        got = f1.per_class_counts(y_true, y_pred, labels)
        np.testing.assert_array_equal(got["tp"], mcm[:, 1, 1])
        np.testing.assert_array_equal(got["fp"], mcm[:, 0, 1])
        np.testing.assert_array_equal(got["fn"], mcm[:, 1, 0])
        np.testing.assert_array_equal(got["support"], mcm[:, 1, 1] + mcm[:, 1, 0])


def test_string_labels():
    y_true = ["cat", "dog", "bird", "cat", "dog", "cat"]
    y_pred = ["dog", "dog", "cat", "cat", "bird", "cat"]
    labels = ["dog", "cat", "bird"]
    np.testing.assert_array_equal(f1.confusion_counts(y_true, y_pred, labels),
                                  metrics.confusion_matrix(y_true, y_pred, labels=labels))
    for average in AVERAGES:
        _assert_same_prf(f1.precision_recall_fscore(y_true, y_pred, average=average),
                         metrics.precision_recall_fscore_support(y_true, y_pred, average=average),
                         f"strings average={average}")


# ------------------------------------------------------ tasks 2-3: P, R, F-beta, averages


@pytest.mark.parametrize("seed", range(8))
def test_prf_equals_sklearn(seed):
    """Every average, zero-division policy and beta, with absent classes and label subsets."""
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 25)), int(rng.integers(2, 6))
    y_true, y_pred = _labels(100 + seed, n, k)
    subsets = (None, [0, 1], list(rng.permutation(k + 2)[:3]), [k + 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for labels in subsets:
            for average in AVERAGES:
                for zd in ZERO_DIVISION:
                    for beta in (0.5, 1.0, 2.0):
                        kwargs = dict(labels=labels, average=average, zero_division=zd, beta=beta)
                        _assert_same_prf(f1.precision_recall_fscore(y_true, y_pred, **kwargs),
                                         metrics.precision_recall_fscore_support(y_true, y_pred, **kwargs),
                                         f"seed={seed} {kwargs}")


@pytest.mark.parametrize("seed", range(6))
def test_binary_equals_sklearn(seed):
    y_true, y_pred = _labels(200 + seed, 3 + 4 * seed, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for pos_label in (0, 1):
            for zd in ZERO_DIVISION:
                kwargs = dict(average="binary", pos_label=pos_label, zero_division=zd)
                _assert_same_prf(f1.precision_recall_fscore(y_true, y_pred, **kwargs),
                                 metrics.precision_recall_fscore_support(y_true, y_pred, **kwargs),
                                 f"seed={seed} {kwargs}")


@pytest.mark.parametrize("y_true, y_pred, pos_label", [
    ([0, 1, 2], [0, 1, 1], 1),        # multiclass with average="binary"
    (["a", "b"], ["a", "a"], 1),      # pos_label not one of the two classes
])
def test_binary_errors_like_sklearn(y_true, y_pred, pos_label):
    with pytest.raises(ValueError):
        metrics.precision_recall_fscore_support(y_true, y_pred, average="binary", pos_label=pos_label)
    with pytest.raises(ValueError):
        f1.precision_recall_fscore(y_true, y_pred, average="binary", pos_label=pos_label)


def test_zero_division_example_of_the_lesson():
    """y=[1,0], pred=[0,0], zero_division=1: precision 1.0 but F1 0.0, in sklearn and here."""
    theirs = metrics.precision_recall_fscore_support([1, 0], [0, 0], average="binary", zero_division=1)
    ours = f1.precision_recall_fscore([1, 0], [0, 0], average="binary", zero_division=1)
    assert theirs[:3] == (1.0, 0.0, 0.0)
    _assert_same_prf(ours, theirs, "lesson example")


def test_micro_is_accuracy_only_over_all_labels():
    y_true, y_pred = _labels(7, 60, 4)
    acc = metrics.accuracy_score(y_true, y_pred)
    assert f1.accuracy(y_true, y_pred) == acc
    assert f1.precision_recall_fscore(y_true, y_pred, average="micro")[2] == pytest.approx(acc, rel=1e-12)
    assert f1.precision_recall_fscore(y_true, y_pred, labels=[0, 1], average="micro")[2] != pytest.approx(acc)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=8),
       st.sampled_from([0.5, 1.0, 2.0, 3.0]))
def test_fbeta_properties(counts, beta):
    tp, fp, fn = (np.array(c, dtype=float) for c in zip(*counts))
    p, r, f = f1.fbeta_from_counts(tp, fp, fn, beta=beta, zero_division=np.nan)
    ok = (tp > 0)
    # Where P and R are positive, F-beta is the weighted harmonic mean of P and R ...
    b2 = beta**2
    np.testing.assert_allclose(f[ok], (1 + b2) * p[ok] * r[ok] / (b2 * p[ok] + r[ok]), rtol=1e-12)
    # ... so it lies between them, and F1 never exceeds the arithmetic mean.
    assert np.all(f[ok] >= np.minimum(p[ok], r[ok]) - 1e-12) and np.all(f[ok] <= np.maximum(p[ok], r[ok]) + 1e-12)
    if beta == 1.0:
        assert np.all(f[ok] <= (p[ok] + r[ok]) / 2 + 1e-12)
    # F is NaN exactly when there is nothing at all to count.
    np.testing.assert_array_equal(np.isnan(f), tp + fp + fn == 0)


# ---------------------------------------------------------------------- task 4: thresholds


def _scores(seed, n, prevalence, decimals):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < prevalence).astype(int)
    s = np.round(np.clip(rng.normal(0.5 + 0.2 * (2 * y - 1), 0.25), 0, 1), decimals)
    return y, s


@pytest.mark.parametrize("seed", range(8))
def test_pr_curve_and_ap_equal_sklearn(seed):
    y, s = _scores(seed, 20 + 17 * seed, prevalence=0.1 + 0.1 * seed, decimals=1 + seed % 3)
    if y.sum() == 0:
        y[0] = 1
    for got, expected in zip(f1.precision_recall_curve(y, s), metrics.precision_recall_curve(y, s)):
        np.testing.assert_array_equal(got, expected)
    assert f1.average_precision(y, s) == pytest.approx(metrics.average_precision_score(y, s), rel=1e-12, abs=0)


def test_pr_curve_pos_label_and_no_positives():
    y, s = _scores(3, 30, 0.4, 2)
    words = np.where(y == 1, "fraud", "ok")
    for got, expected in zip(f1.precision_recall_curve(words, s, pos_label="fraud"),
                             metrics.precision_recall_curve(words, s, pos_label="fraud")):
        np.testing.assert_array_equal(got, expected)
    with pytest.warns(UserWarning, match="No positive class"):
        expected = metrics.precision_recall_curve([0, 0, 0, 0], [0.3, 0.1, 0.3, 0.8])
    for got, exp in zip(f1.precision_recall_curve([0, 0, 0, 0], [0.3, 0.1, 0.3, 0.8]), expected):
        np.testing.assert_array_equal(got, exp)
    assert f1.average_precision([0, 0, 0], [0.2, 0.7, 0.2]) == 0.0


@pytest.mark.parametrize("seed", range(4))
def test_best_threshold_is_brute_force_argmax(seed):
    """sklearn's f1_score on `s >= t` for every distinct score t; ties go to the largest t."""
    y, s = _scores(50 + seed, 45, 0.3, 1)
    thresholds = np.unique(s)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = np.array([metrics.f1_score(y, (s >= t).astype(int), zero_division=0) for t in thresholds])
    best = f1.best_f1_threshold(y, s)
    top = scores.max()
    assert best["f1"] == pytest.approx(top, rel=1e-12)
    assert best["threshold"] == thresholds[np.flatnonzero(np.isclose(scores, top, rtol=1e-12, atol=0))[-1]]


def test_calibrated_optimal_threshold_is_half_the_best_f1():
    """Lipton et al. (2014), as the lesson and the card f1-calibrated-threshold say."""
    rng = np.random.default_rng(0)
    s = rng.beta(0.5, 3.0, size=200_000)
    y = (rng.random(s.size) < s).astype(int)
    best = f1.best_f1_threshold(y, s)
    assert abs(best["threshold"] - best["f1"] / 2) < 0.02
    assert best["threshold"] < 0.35  # far from the default 0.5


def test_blind_scorer_ap_is_the_prevalence():
    rng = np.random.default_rng(1)
    y = (rng.random(20_000) < 0.1).astype(int)
    assert f1.average_precision(y, rng.random(y.size)) == pytest.approx(y.mean(), abs=0.01)


# --------------------------------------------------------------- task 5: baselines, iso-F1


def test_trivial_baselines_equal_sklearn():
    y = np.r_[np.ones(7, dtype=int), np.zeros(493, dtype=int)]
    got = f1.trivial_baselines(y)
    zeros, ones = np.zeros_like(y), np.ones_like(y)
    assert got["accuracy_all_negative"] == metrics.accuracy_score(y, zeros)
    assert got["f1_all_negative"] == metrics.f1_score(y, zeros, zero_division=0)
    assert got["accuracy_all_positive"] == metrics.accuracy_score(y, ones)
    assert got["f1_all_positive"] == pytest.approx(metrics.f1_score(y, ones), rel=1e-12)
    assert got["ap_constant_score"] == pytest.approx(metrics.average_precision_score(y, np.zeros(y.size)), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.05, 0.95), st.lists(st.floats(0.0, 1.0), min_size=1, max_size=20))
def test_iso_f1_lines_have_that_f1(level, recall):
    recall = np.array(recall)
    precision = f1.iso_f1_precision(level, recall)
    ok = ~np.isnan(precision)
    assert np.all((precision[ok] >= 0) & (precision[ok] <= 1 + 1e-12))
    np.testing.assert_allclose(f1.f1_at_thresholds(precision[ok], recall[ok]), level, rtol=1e-9)
    # NaN exactly where no precision in [0, 1] reaches that F1 (up to rounding at the boundary).
    reachable = recall >= level / (2 - level)
    far = np.abs(recall - level / (2 - level)) > 1e-9
    np.testing.assert_array_equal(ok[far], reachable[far])


# ------------------------------------------------------------- the lab as a package of files


def test_reference_imports_no_heavy_libraries():
    code = ("import importlib.util, sys; spec = importlib.util.spec_from_file_location('f1', sys.argv[1]); "
            "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); "
            "bad = [x for x in ('torch', 'matplotlib', 'sklearn', 'scipy') if x in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code, str(LAB / "f1.py")], check=True)


def test_stub_imports_and_raises():
    from course.labs import markers

    stub_source = markers.make_stub((LAB / "f1.py").read_text())
    namespace: dict = {"__name__": "f1_stub"}
    exec(compile(stub_source, "f1_stub.py", "exec"), namespace)
    for name in ("confusion_counts", "precision_recall_fscore", "precision_recall_curve", "iso_f1_precision"):
        assert name in namespace
    with pytest.raises(NotImplementedError):
        namespace["fbeta_from_counts"]([1], [0], [0])


def _graded_tests():
    from course.grading.testing import collect

    return collect(_load(LAB / "test_f1.py", "f1_tests_under_test"))


def test_points_match_lab_toml():
    toml = tomllib.loads((LAB / "lab.toml").read_text())
    per_task: dict[int, float] = {}
    for t in _graded_tests():
        assert float(t.points).is_integer(), f"{t.name}: points must be integers"
        per_task[t.task] = per_task.get(t.task, 0) + t.points
    assert per_task == {t["number"]: t["points"] for t in toml["task"]}


def test_lesson_lists_tasks_and_cards():
    lesson = (LAB / "README.md").read_text()
    toml = tomllib.loads((LAB / "lab.toml").read_text())
    headings = re.findall(r"^### Task (\d+): (.+)$", lesson, flags=re.M)
    assert [(int(n), title.strip()) for n, title in headings] == [(t["number"], t["title"]) for t in toml["task"]]
    sections = re.findall(r"^## (.+)$", lesson, flags=re.M)
    assert sections == ["Objectives", "Background", "Tasks", "How to run", "Figures", "Cards"]
    listed = re.findall(r"^- `([a-z0-9-]+)`$", lesson.split("## Cards", 1)[1], flags=re.M)
    cards = re.findall(r"^## (f1-[a-z0-9-]+)$", (REPO / "cards" / "f1.md").read_text(), flags=re.M)
    assert len(cards) >= 10 and sorted(listed) == sorted(cards)


def test_hints_cover_every_task():
    hints = (LAB / "hints.md").read_text()
    toml = tomllib.loads((LAB / "lab.toml").read_text())
    assert re.findall(r"^## Task (\d+)$", hints, flags=re.M) == [str(t["number"]) for t in toml["task"]]


def test_make_figures_writes_the_card_images(tmp_path):
    paths = f1.make_figures(tmp_path)
    assert [p.name for p in paths] == ["f1-pr-curve.png", "f1-threshold.png"]
    for p in paths:
        assert p.stat().st_size > 1000
        assert (REPO / "cards" / "images" / p.name).is_file(), f"commit cards/images/{p.name}"


def test_figure_data_is_consistent():
    y, s = f1.demo_scores()
    data = f1.plot_pr_curve(y, s)
    r, p, t, best = data["best"]
    i = int(np.flatnonzero(data["thresholds"] == t)[0])
    assert (data["recall"][i], data["precision"][i]) == (r, p)
    assert best == pytest.approx(2 * p * r / (p + r), rel=1e-12)
    assert data["iso_precision"].shape == (4, data["iso_recall"].size)
