"""Project tests for the lab ``toolkit``: the reference against independent oracles.

The graded tests compare a student's code with the reference, so the reference itself must be
right. Oracles (test-only): ``torch.utils.data`` samplers and ``torch.optim`` for the training
loop, ``torch.nn.functional.mse_loss`` and scikit-learn's ``mean_squared_error``,
``numpy.lib.stride_tricks.sliding_window_view`` for the moving average, ``scipy.stats``
(``scoreatpercentile``, ``binomtest``) for percentiles and hash-split fractions, and fresh
interpreters with other ``PYTHONHASHSEED`` values for machine-independent splits.

They also check what a graded test cannot see: the trusted optimisers of the test file equal
torch.optim's, the stub imports without torch or matplotlib, points match lab.toml, planted bugs
name real tests, the lesson lists tasks and cards, the figures exist, and the numbers the lesson
quotes about the planted-bug curves.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import tomllib
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.grading.testing import collect

REPO = Path(__file__).resolve().parents[2]
LAB = REPO / "labs" / "toolkit"


from conftest import load_module as _load  # noqa: E402

tk = _load(LAB / "toolkit.py", "toolkit_reference_under_test")
graded_tests = _load(LAB / "test_toolkit.py", "toolkit_graded_tests_under_test")


@pytest.fixture(autouse=True)
def _one_thread():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)  # bitwise comparisons of float sums need a fixed reduction order
    yield
    torch.set_num_threads(before)


# ---------------------------------------------------------------------------------------------
# Task 1: splits
# ---------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 300),
    f=st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20)).filter(lambda t: sum(t) > 0),
    seed=st.integers(0, 2**32 - 1),
)
def test_split_is_a_partition_with_rounded_sizes(n, f, seed):
    fractions = tuple(x / sum(f) for x in f)
    parts = tk.split_indices(n, fractions, seed=seed)
    assert sorted(np.concatenate([parts["train"], parts["val"], parts["test"]]).tolist()) == list(range(n))
    assert len(parts["train"]) == round(fractions[0] * n)
    assert len(parts["val"]) == min(round(fractions[1] * n), n - round(fractions[0] * n))
    for idx in parts.values():
        assert idx.dtype == np.int64 and np.all(np.diff(idx) > 0)


def test_split_rejects_bad_fractions():
    for bad in [(0.8, 0.1, 0.2), (1.2, -0.1, -0.1), (0.5, 0.5)]:
        with pytest.raises(ValueError):
            tk.split_indices(10, bad)


def test_split_same_in_a_fresh_process_with_other_global_seeds():
    """The split of seed 7 in a new interpreter (other hash seed, other global RNG) is ours."""
    code = (
        "import importlib.util, sys, random, numpy as np\n"
        "np.random.seed(123); random.seed(5)\n"
        "spec = importlib.util.spec_from_file_location('t', sys.argv[1]); m = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(m)\n"
        "p = m.split_indices(41, (0.5, 0.3, 0.2), seed=7)\n"
        "ids = m.split_by_id([f'id-{i}' for i in range(300)], 0.2, 0.3)\n"
        "print(p['train'].tolist(), p['val'].tolist(), p['test'].tolist(), ids)\n"
    )
    mine = tk.split_indices(41, (0.5, 0.3, 0.2), seed=7)
    ids = tk.split_by_id([f"id-{i}" for i in range(300)], 0.2, 0.3)
    expected = f"{mine['train'].tolist()} {mine['val'].tolist()} {mine['test'].tolist()} {ids}"
    for hash_seed in ("1", "999"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", code, str(LAB / "toolkit.py")], env=env,
                             capture_output=True, text=True, check=True).stdout.strip()
        assert out == expected


def test_split_by_id_uses_crc32_and_hits_the_fractions():
    from scipy.stats import binomtest

    ids = [f"sample-{i}" for i in range(20000)]
    got = tk.split_by_id(ids, val_fraction=0.15, test_fraction=0.1)
    h = np.array([zlib.crc32(s.encode()) for s in ids]) / 2**32
    expected = np.where(h < 0.1, "test", np.where(h < 0.25, "val", "train"))
    assert got == expected.tolist()
    for name, p in (("test", 0.1), ("val", 0.15)):
        k = got.count(name)
        assert binomtest(k, len(ids), p).pvalue > 1e-4, (name, k)


# ---------------------------------------------------------------------------------------------
# Task 2: training loop, moving average, plot
# ---------------------------------------------------------------------------------------------


def test_train_equals_torch_samplers_and_sgd():
    """Batches = BatchSampler(RandomSampler(generator)) when batch_size divides n; torch.optim.SGD."""
    import torch
    from torch.utils.data import BatchSampler, RandomSampler

    X, y = tk.make_blobs(n=40, seed=3)
    steps, bs = 23, 8  # 5 batches per pass: crosses four pass boundaries
    model = tk.make_mlp(seed=3)
    ours = tk.train(model, X, y, torch.nn.functional.cross_entropy,
                    torch.optim.SGD(model.parameters(), lr=0.2), steps=steps, batch_size=bs, seed=11)

    oracle_model = tk.make_mlp(seed=3)
    opt = torch.optim.SGD(oracle_model.parameters(), lr=0.2)
    g = torch.Generator().manual_seed(11)
    batches = BatchSampler(RandomSampler(range(40), num_samples=40 * 5, generator=g), bs, drop_last=True)
    theirs = []
    for _, idx in zip(range(steps), batches):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(oracle_model(X[idx]), y[idx])
        loss.backward()
        opt.step()
        theirs.append(loss.item())
    assert ours == theirs
    for a, b in zip(model.parameters(), oracle_model.parameters()):
        assert torch.equal(a, b)


def test_trusted_optimisers_of_the_graded_tests_equal_torch_optim():
    import torch

    X, y = tk.make_blobs(n=16, seed=5)
    for maximize in (False, True):
        runs = []
        for make in (lambda p: torch.optim.Adam(p, lr=0.01, maximize=maximize),
                     lambda p: graded_tests._Adam(p, lr=0.01, maximize=maximize)):
            model = tk.make_mlp(seed=5)
            runs.append(tk.overfit_one_batch(model, X, y, torch.nn.functional.cross_entropy,
                                             make(model.parameters()), 30))
        np.testing.assert_allclose(runs[0], runs[1], rtol=1e-5, atol=1e-7)
    runs = []
    for make in (lambda p: torch.optim.SGD(p, lr=0.3), lambda p: graded_tests._SGD(p, lr=0.3)):
        model = tk.make_mlp(seed=5)
        runs.append(tk.overfit_one_batch(model, X, y, torch.nn.functional.cross_entropy, make(model.parameters()), 30))
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-6, atol=1e-8)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60), st.integers(1, 60))
def test_moving_average_equals_sliding_window_mean(values, window):
    window = min(window, len(values))
    expected = np.lib.stride_tricks.sliding_window_view(np.array(values), window).mean(axis=1)
    np.testing.assert_allclose(tk.moving_average(values, window), expected, rtol=1e-9, atol=1e-6)


def test_plot_losses_returns_what_it_drew(tmp_path):
    curves = {"a": [3.0, 2.0, 1.0, 0.5], "b": [1.0, np.nan, 0.0, 2.0, 1.0], "c": [1.0, 1.0]}
    data = tk.plot_losses(curves, tmp_path / "x.png", window=2, ncols=2)
    assert (tmp_path / "x.png").stat().st_size > 0
    for name, values in curves.items():
        np.testing.assert_array_equal(data[name]["loss"], values)
        np.testing.assert_array_equal(data[name]["step"], np.arange(len(values)))


# ---------------------------------------------------------------------------------------------
# Task 3: one-batch overfitting and diagnosis
# ---------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["healthy", "goes up", "oscillates", "plateaus"]),
    scale=st.floats(1e-3, 1e3),
    seed=st.integers(0, 1000),
)
def test_diagnose_is_scale_invariant_and_robust_to_noise(kind, scale, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(80.0)
    base = {
        "healthy": 2.0 * np.exp(-t / 10) + 0.01,
        "goes up": 1.0 + 0.05 * t,
        "oscillates": 1.0 + 0.2 * (-1.0) ** t,
        "plateaus": np.full(80, 1.0),
    }[kind]
    # Multiplicative noise of 0.1 % never turns a plateau into oscillation (threshold 1 %),
    # and up to 50 % noise never hides a 100-fold fall.
    noise = 0.5 if kind == "healthy" else 0.001
    curve = scale * base * (1 + noise * rng.uniform(-1, 1, 80))
    assert tk.diagnose(curve) == kind


def test_lesson_numbers_about_the_planted_bug_curves():
    c = {k: np.asarray(v) for k, v in tk.scenario_curves().items()}
    fall = c["healthy, minibatches"][:10].mean() / c["healthy, minibatches"][-10:].mean()
    assert 50 < fall < 70  # "falls 60-fold"
    assert 0.005 < c["healthy"][-10:].mean() < 0.007  # "about 0.006"
    assert c["sign flip"][-1] > 60 and np.all(np.diff(c["sign flip"]) > 0)  # "rises steadily past 60"
    assert 4000 < np.nanmax(c["LR too high"]) / c["LR too high"][0] < 5000  # "about 4500 times"
    assert abs(c["labels shuffled"].mean() - math.log(3)) < 0.1  # "around ln 3"
    floor = math.log(1 + 2 / math.e)
    assert floor < c["probabilities to CE"][-1] < floor + 0.01  # "levels off at ln(1 + 2/e)"
    assert c["probabilities to CE"].min() >= floor  # it cannot go below the floor


# ---------------------------------------------------------------------------------------------
# Task 4: shapes
# ---------------------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.data())
def test_check_shape_agrees_with_a_direct_comparison(shape, data):
    x = np.zeros(shape)
    expected = data.draw(st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=0, max_size=5))
    should_pass = len(expected) == len(shape) and all(e is None or e == s for e, s in zip(expected, shape))
    if should_pass:
        assert tk.check_shape(x, tuple(expected)) is x
    else:
        with pytest.raises(AssertionError, match=re.escape(str(tuple(shape)))):
            tk.check_shape(x, tuple(expected))


def test_checked_mse_equals_torch_and_sklearn():
    import torch
    from sklearn.metrics import mean_squared_error

    rng = np.random.default_rng(0)
    pred, target = rng.normal(size=(8, 3)), rng.normal(size=(8, 3))
    ours = tk.checked_mse(pred, target)
    assert isinstance(ours, float)
    assert ours == pytest.approx(mean_squared_error(target.ravel(), pred.ravel()), rel=1e-12)
    assert ours == pytest.approx(torch.nn.functional.mse_loss(torch.tensor(pred), torch.tensor(target)).item(),
                                 rel=1e-12)


def test_mse_loss_really_broadcasts_with_a_warning():
    """The lesson's claim: (N, 1) against (N,) broadcasts to (N, N) and MSELoss only warns."""
    import torch

    pred, target = torch.arange(5.0).reshape(5, 1), torch.arange(5.0)
    with pytest.warns(UserWarning, match="broadcasting"):
        value = torch.nn.MSELoss()(pred, target)
    assert value.item() == pytest.approx(((pred - target) ** 2).mean().item())
    assert value.item() != 0.0  # the right answer would be 0


# ---------------------------------------------------------------------------------------------
# Task 5: latency
# ---------------------------------------------------------------------------------------------


def test_measure_latency_on_a_real_model():
    import torch
    from scipy.stats import scoreatpercentile

    model = tk.make_mlp(d=8, hidden=16, classes=3)
    model.train()
    out = tk.measure_latency(model, torch.randn(2, 8), n_warmup=5, n_runs=200)
    assert out["samples"].shape == (200,) and np.all(out["samples"] > 0)
    for q in (50, 95, 99):
        assert out[f"p{q}"] == pytest.approx(scoreatpercentile(out["samples"], q), rel=1e-12)
    assert out["p50"] <= out["p95"] <= out["p99"]
    assert model.training  # the mode is restored


def test_hand_percentiles_of_the_graded_tests_equal_numpy():
    samples = np.array(graded_tests._TIMED_MS) / 1000
    np.testing.assert_allclose(np.percentile(samples, [50, 95, 99]), [1.15e-3, 2.47e-3, 2.974e-3], rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Task 6: error budget
# ---------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(*(st.floats(0, 1) for _ in range(4)))
def test_budget_telescopes_to_the_test_gap(train, val, test, target):
    b = tk.error_budget(train, val, test, target_error=target)
    assert b["bias"] + b["variance"] + b["val_overfit"] == pytest.approx(test - target, abs=1e-12)
    largest = max(b["bias"], b["variance"], b["val_overfit"])
    names = {"bias": "underfitting", "variance": "overfitting", "val_overfit": "validation overfitting"}
    assert b[next(k for k in names if names[k] == b["verdict"])] == largest


# ---------------------------------------------------------------------------------------------
# The lab as a whole
# ---------------------------------------------------------------------------------------------


def test_reference_imports_no_heavy_libraries():
    code = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('t', sys.argv[1]); m = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(m)\n"
        "assert 'torch' not in sys.modules and 'matplotlib' not in sys.modules, 'heavy import at module level'\n"
    )
    subprocess.run([sys.executable, "-c", code, str(LAB / "toolkit.py")], check=True)


def test_stub_imports_and_raises():
    import torch

    from course.labs import markers

    namespace: dict = {"__name__": "toolkit_stub"}
    exec(compile(markers.make_stub((LAB / "toolkit.py").read_text()), "toolkit_stub.py", "exec"), namespace)
    calls = [
        lambda: namespace["split_indices"](10),
        lambda: namespace["split_by_id"](["a"]),
        lambda: namespace["moving_average"]([1.0], 1),
        lambda: namespace["diagnose"]([1.0, 0.5]),
        lambda: namespace["check_shape"](np.zeros(2), (2,)),
        lambda: namespace["measure_latency"](torch.nn.Identity(), torch.ones(1), n_warmup=0, n_runs=1),
        lambda: namespace["error_budget"](0.1, 0.2, 0.3),
    ]
    for call in calls:
        with pytest.raises(NotImplementedError):
            call()


def test_points_match_lab_toml():
    tasks = {t["number"]: t["points"] for t in tomllib.loads((LAB / "lab.toml").read_text())["task"]}
    per_task: dict[int, float] = {}
    for t in collect(graded_tests):
        per_task[t.task] = per_task.get(t.task, 0) + t.points
    assert per_task == tasks


def test_lesson_lists_tasks_and_cards():
    lesson = (LAB / "README.md").read_text()
    for task in tomllib.loads((LAB / "lab.toml").read_text())["task"]:
        assert f"### Task {task['number']}: {task['title']}" in lesson
    listed = set(re.findall(r"^- `([a-z0-9-]+)`$", lesson.split("## Cards", 1)[1], flags=re.M))
    cards_text = (REPO / "cards" / "toolkit.md").read_text() + (REPO / "cards" / "general.md").read_text()
    ids = set(re.findall(r"^## ([a-z0-9-]+)$", cards_text, flags=re.M))
    assert listed <= ids
    assert {i for i in ids if i.startswith("toolkit-")} <= listed


def test_hints_cover_every_task():
    hints = (LAB / "hints.md").read_text()
    for task in tomllib.loads((LAB / "lab.toml").read_text())["task"]:
        assert f"## Task {task['number']}" in hints


def test_make_figures_writes_the_card_images(tmp_path):
    paths = tk.make_figures(tmp_path)
    assert sorted(p.name for p in paths) == ["toolkit-latency.png", "toolkit-loss-curves.png"]
    for p in paths:
        assert p.stat().st_size > 0
        assert (REPO / "cards" / "images" / p.name).is_file(), f"commit cards/images/{p.name}"
