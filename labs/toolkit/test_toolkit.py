"""Graded tests of the toolkit lab: probes return plain data, the checks judge it.

Public tests use hand-computed values or properties; hidden tests (between the markers) also
compare with the reference solution. Run the public ones with ``pytest test_toolkit.py``.
"""

import numpy as np

from course.testing import REFERENCE, assert_close, graded, oracle

# ---------------------------------------------------------------------------------------------
# Helpers used by several probes (trusted: they never call the student's code)
# ---------------------------------------------------------------------------------------------


def _caught(fn, *args, **kwargs):
    """Call fn; return {"raised": exception type, "message": text}, or the shape it returned."""
    try:
        out = fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001  (what the student raised is the data we judge)
        return {"raised": type(e).__name__, "message": str(e)}
    return {"raised": "nothing", "message": f"returned {type(out).__name__}"}


def _must_raise_naming(*shapes):
    """A check: AssertionError whose message contains each item (a name, or a shape as a tuple)."""

    def check(got):
        assert got["raised"] == "AssertionError", (
            f"expected an AssertionError, got {got['raised']} ({got['message']})"
        )
        for shape in shapes:
            assert str(shape) in got["message"], (
                f"the message should contain the shape {shape}; it was: {got['message']!r}"
            )

    return check


def _trusted_overfit(model, X, y, loss_fn, optimizer, steps):
    """A known-good one-batch loop, so task 3's diagnosis does not depend on task 2's code."""
    model.train()
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def _trusted_train(model, X, y, loss_fn, optimizer, *, steps, batch_size, seed=0):
    """A known-good minibatch loop with the batch order the lab specifies."""
    import torch

    g = torch.Generator().manual_seed(seed)
    perm, pos, losses = torch.randperm(len(X), generator=g), 0, []
    model.train()
    for _ in range(steps):
        if pos + batch_size > len(X):
            perm, pos = torch.randperm(len(X), generator=g), 0
        idx = perm[pos : pos + batch_size]
        pos += batch_size
        optimizer.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


class _SGD:
    """Plain SGD with torch.optim's interface (zero_grad, step). torch.optim itself imports
    torch._dynamo on first use (about 3 s), so the probes use these small trusted copies;
    train() and overfit_one_batch() only ever call zero_grad() and step()."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        import torch

        with torch.no_grad():
            for p in self.params:
                p -= self.lr * p.grad


class _Adam(_SGD):
    """Adam as torch.optim.Adam computes it (betas 0.9, 0.999, eps 1e-8, optional maximize)."""

    def __init__(self, params, lr=1e-3, maximize=False):
        super().__init__(params, lr)
        self.maximize, self.t = maximize, 0
        self.m = [None] * len(self.params)
        self.v = [None] * len(self.params)

    def step(self):
        import torch

        self.t += 1
        b1, b2 = 0.9, 0.999
        with torch.no_grad():
            for i, p in enumerate(self.params):
                g = -p.grad if self.maximize else p.grad
                self.m[i] = g * (1 - b1) if self.m[i] is None else b1 * self.m[i] + (1 - b1) * g
                self.v[i] = g * g * (1 - b2) if self.v[i] is None else b2 * self.v[i] + (1 - b2) * g * g
                m_hat = self.m[i] / (1 - b1**self.t)
                v_hat = self.v[i] / (1 - b2**self.t)
                p -= self.lr * m_hat / (v_hat.sqrt() + 1e-8)


# Task 5 probes time a fake model on a fake clock: each call "takes" a known duration, so the
# right method reproduces the durations exactly, whatever the machine's speed.
_WARMUP_MS = [50.0, 20.0, 10.0]
_TIMED_MS = [1.2, 1.0, 1.1, 1.3, 1.0, 3.1, 1.1, 1.2]


def _fake_clock_latency(lab, warmup_s, timed_s, model_mode="train", defaults=False, fail_at=None):
    import time
    import timeit

    import torch

    torch.set_num_threads(1)
    durations = list(warmup_s) + list(timed_s) + [9.0] * 5  # extra calls cost 9 s: visible
    state = {"now": 100.0, "calls": 0}
    seen = {"grad": [], "training": []}

    class FakeModel(torch.nn.Module):
        def forward(self, x):
            seen["grad"].append(torch.is_grad_enabled())
            seen["training"].append(self.training)
            if fail_at is not None and state["calls"] == fail_at:
                state["calls"] += 1
                raise RuntimeError("the model failed")
            state["now"] += durations[min(state["calls"], len(durations) - 1)]
            state["calls"] += 1
            return x * 2

    def fake_s():
        return state["now"]

    def fake_ns():
        return int(round(state["now"] * 1e9))

    fakes = {time.perf_counter: fake_s, time.perf_counter_ns: fake_ns}
    # The perf_counter clocks wherever the code can reach them: time.perf_counter, timeit's
    # default_timer, and names bound by `from time import perf_counter` in the lab module.
    places = [(time, "perf_counter"), (time, "perf_counter_ns"), (timeit, "default_timer")]
    places += [(lab, name) for name, value in vars(lab).items() if any(value is real for real in fakes)]
    saved = [(owner, name, getattr(owner, name)) for owner, name in places]
    try:
        for owner, name, real in saved:
            setattr(owner, name, fakes[real])
        model = FakeModel()
        model.train(model_mode == "train")
        if fail_at is not None:
            try:
                lab.measure_latency(model, torch.ones(2, 3), n_warmup=len(warmup_s), n_runs=len(timed_s))
            except RuntimeError:
                pass
            return {"training after an error": model.training}
        if defaults:
            out = lab.measure_latency(model, torch.ones(2, 3))
        else:
            out = lab.measure_latency(model, torch.ones(2, 3), n_warmup=len(warmup_s), n_runs=len(timed_s))
    finally:
        for owner, name, real in saved:
            setattr(owner, name, real)
    return {
        "samples": np.asarray(out["samples"], dtype=np.float64),
        "p50": float(out["p50"]),
        "p95": float(out["p95"]),
        "p99": float(out["p99"]),
        "mean": float(out["mean"]),
        "training after": model.training,
        "calls": state["calls"],
        "grad": seen["grad"],
        "training": seen["training"],
    }


# ---------------------------------------------------------------------------------------------
# Task 1: splits
# ---------------------------------------------------------------------------------------------


def _is_partition(got):
    sizes = {k: len(got[k]) for k in ("train", "val", "test")}
    assert sizes == {"train": 22, "val": 9, "test": 6}, (
        f"n=37 with fractions (0.6, 0.25, 0.15): expected sizes train 22, val 9, test 6; got {sizes}"
    )
    tr, va, te = (set(np.asarray(got[k]).tolist()) for k in ("train", "val", "test"))
    for a, b, name in ((tr, va, "train and val"), (tr, te, "train and test"), (va, te, "val and test")):
        assert not a & b, f"{name} overlap in {sorted(a & b)[:5]}: the same item is in two splits"
    assert tr | va | te == set(range(37)), (
        f"items missing from every split: {sorted(set(range(37)) - (tr | va | te))[:5]}"
    )


@graded(task=1, points=2, check=_is_partition)
def test_split_partition(lab):
    """The three splits are disjoint, cover every index once and have the specified sizes."""
    return lab.split_indices(37, (0.6, 0.25, 0.15), seed=3)


def _repeatable(got):
    for k in ("train", "val", "test"):
        assert_close(got["first"][k], got["again"][k], name=f"same seed, second call, {k}")
    assert any(
        len(got["first"][k]) != len(got["other_seed"][k]) or np.any(got["first"][k] != got["other_seed"][k])
        for k in ("train", "val", "test")
    ), "seed 4 gave the same split as seed 3: the seed is not used"


@graded(task=1, points=2, check=_repeatable)
def test_split_repeatable(lab):
    """Same seed -> same split, whatever the global random state; another seed -> another split."""
    import random

    np.random.seed(1)
    random.seed(1)
    first = lab.split_indices(37, (0.6, 0.25, 0.15), seed=3)
    np.random.seed(2)
    random.seed(2)
    np.random.random(5)  # other code drew from the global generators in between
    again = lab.split_indices(37, (0.6, 0.25, 0.15), seed=3)
    other = lab.split_indices(37, (0.6, 0.25, 0.15), seed=4)
    return {"first": first, "again": again, "other_seed": other}


# crc32("cat-i") / 2**32 for i = 0..7: 0.805 0.723 0.126 0.340 0.786 0.743 0.153 0.314
@graded(task=1, points=2, expect=["train", "train", "test", "val", "train", "train", "test", "val"])
def test_split_by_id_hand(lab):
    """Hash-based split of ids cat-0..cat-7 with val 0.25, test 0.25 (crc32 values above)."""
    return lab.split_by_id([f"cat-{i}" for i in range(8)], val_fraction=0.25, test_fraction=0.25)


def _raised(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001  (the test records which exception came)
        return type(exc).__name__
    return None


@graded(task=1, points=1, expect={"zero fraction sizes": [9, 1, 0], "both round up sizes": [2, 1, 0],
                                  "negative": "ValueError", "sum above 1": "ValueError", "sum below 1": "ValueError",
                                  "defaults sizes": [8, 1, 1], "fractions unchanged": True})
def test_split_edges(lab):
    """A zero fraction is allowed; (0.5, 0.5, 0) of 3 rounds both halves up and must not overflow;
    a negative fraction or fractions not summing to 1 raise ValueError; the default is (0.8, 0.1, 0.1)."""
    fractions = [0.9, 0.1, 0.0]
    zero = lab.split_indices(10, fractions, seed=1)
    halves = lab.split_indices(3, (0.5, 0.5, 0.0))
    default = lab.split_indices(10)
    return {"zero fraction sizes": [len(zero[k]) for k in ("train", "val", "test")],
            "both round up sizes": [len(halves[k]) for k in ("train", "val", "test")],
            "negative": _raised(lambda: lab.split_indices(10, (1.1, -0.1, 0.0))),
            "sum above 1": _raised(lambda: lab.split_indices(10, (0.8, 0.2, 0.1))),
            "sum below 1": _raised(lambda: lab.split_indices(10, (0.5, 0.2, 0.1))),
            "defaults sizes": [len(default[k]) for k in ("train", "val", "test")],
            "fractions unchanged": fractions == [0.9, 0.1, 0.0]}


@graded(task=1, points=1, expect={"h == test_fraction": "val", "h == test + val": "train",
                                  "just above": "test", "defaults": ["train", "train", "test", "test", "val"]})
def test_split_by_id_boundaries(lab):
    """The rules are strict: h < test_fraction is test, so an id with h exactly test_fraction is not;
    likewise for test_fraction + val_fraction. Defaults are val 0.1, test 0.1."""
    import zlib

    h = zlib.crc32(b"order-17") / 2**32
    return {"h == test_fraction": lab.split_by_id(["order-17"], val_fraction=0.5, test_fraction=h)[0],
            "h == test + val": lab.split_by_id(["order-17"], val_fraction=h, test_fraction=0.0)[0],
            "just above": lab.split_by_id(["order-17"], 0.0, np.nextafter(h, 1.0))[0],
            "defaults": lab.split_by_id(["a", "b", "c", "order-3", "order-12"])}


### BEGIN HIDDEN TESTS
@graded(task=1, points=2, expect=REFERENCE, rtol=0)
def test_split_reference(lab):
    """split_indices follows the specified recipe exactly (permutation, cut sizes, sorting)."""
    return {str(n): lab.split_indices(n, (0.7, 0.2, 0.1), seed=11) for n in (2, 5, 50, 101)}


def _stable_when_growing(got, ref):
    assert_close(got["small"], ref["small"], name="split_by_id of 200 ids")
    assert got["big"][:200] == got["small"], "adding 300 new ids moved some of the first 200 to another split"


@graded(task=1, points=1, check=_stable_when_growing)
def test_split_by_id_stable(lab):
    """Adding items never moves old ones; the assignment matches crc32 exactly."""
    ids = [f"user-{i:05d}" for i in range(500)]
    return {"small": lab.split_by_id(ids[:200], 0.2, 0.1), "big": lab.split_by_id(ids, 0.2, 0.1)}
### END HIDDEN TESTS


# ---------------------------------------------------------------------------------------------
# Task 2: training loop and loss plot
# ---------------------------------------------------------------------------------------------

# L(w) = mean((w x - y)^2) over x = (1, 2), y = (2, 4) is 2.5 (w - 2)^2; from w = 0 with lr 0.1
# each step halves (w - 2): losses 10, 2.5, 0.625, 0.15625.
@graded(task=2, points=2, expect=[10.0, 2.5, 0.625, 0.15625], rtol=1e-6)
def test_train_hand(lab):
    """One weight, full batch, plain SGD: the loss of each step, before its update."""
    import torch

    model = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.zero_()
    X = torch.tensor([[1.0], [2.0]])
    y = torch.tensor([[2.0], [4.0]])
    opt = _SGD(model.parameters(), lr=0.1)
    return lab.train(model, X, y, torch.nn.functional.mse_loss, opt, steps=4, batch_size=2)


def _learns(got):
    losses = np.asarray(got, dtype=np.float64)
    assert losses.shape == (60,), f"expected 60 losses (one per step), got shape {losses.shape}"
    assert np.all(np.isfinite(losses)), "some losses are not finite"
    first, last = losses[:10].mean(), losses[-10:].mean()
    assert last < 0.5 * first, f"the loss should fall on easy blobs: mean of first 10 {first:.3f}, last 10 {last:.3f}"


@graded(task=2, points=1, check=_learns)
def test_train_learns(lab):
    """Minibatch training on separable blobs: 60 losses, and they fall."""
    import torch

    X, y = lab.make_blobs(n=101, seed=2)
    model = lab.make_mlp(seed=2)
    opt = _Adam(model.parameters(), lr=0.01)
    return lab.train(model, X, y, torch.nn.functional.cross_entropy, opt, steps=60, batch_size=8, seed=5)


@graded(task=2, points=1, expect={"w2": [1.5, 2.5, 3.5, 4.5], "w3": [2.0, 3.0, 4.0]}, rtol=1e-12)
def test_moving_average(lab):
    """Trailing means of 1..5 with windows 2 and 3."""
    return {"w2": lab.moving_average([1, 2, 3, 4, 5], 2), "w3": lab.moving_average(np.arange(1.0, 6.0), 3)}


def _plotted(got):
    assert got["file"], "plot_losses did not write the PNG file at `path`"
    assert sorted(got["data"]) == ["a", "b"], f"expected one entry per curve ['a', 'b'], got {sorted(got['data'])}"
    assert_close(got["data"]["a"]["loss"], [5.0, 4.0, 6.0, 2.0, 1.0, 3.0, 0.5, 0.25], name="a: loss")
    assert_close(got["data"]["a"]["step"], np.arange(8), name="a: step")
    assert_close(got["data"]["a"]["smooth"], [5.0, 4.0, 3.0, 2.0, 1.5, 1.25], rtol=1e-12, name="a: smooth")
    assert_close(got["data"]["b"]["smooth"], [2.0, 3.0, 4.0], rtol=1e-12, name="b: smooth")


@graded(task=2, points=2, check=_plotted)
def test_plot_losses(lab):
    """plot_losses saves a PNG and returns the raw and smoothed arrays it drew (window 3)."""
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "curves.png"
    data = lab.plot_losses({"a": [5, 4, 6, 2, 1, 3, 0.5, 0.25], "b": [1, 2, 3, 4, 5]}, path, window=3)
    return {"file": path.is_file() and path.stat().st_size > 0, "data": data}


def _recording_linear(record):
    """A Linear(1, 1) model whose forward appends ``record(model, x)`` to ``model.log``."""
    import torch

    class Recording(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(1, 1)
            self.log = []

        def forward(self, x):
            self.log.append(record(self, x))
            return self.lin(x)

    return Recording()


@graded(task=2, points=1, expect={"window 1": [3.0, 1.0, 2.0], "window = length": [2.0],
                                  "train mode during train": True, "losses": 2})
def test_window_edges_and_train_mode(lab):
    """moving_average with window 1 (the values) and window = length (one mean); train() puts a model
    that arrives in eval mode into train mode."""
    import torch

    model = _recording_linear(lambda module, x: module.training).eval()
    X, y = torch.ones(4, 1), torch.zeros(4, 1)
    losses = lab.train(model, X, y, torch.nn.functional.mse_loss, _SGD(model.parameters(), lr=0.1), steps=2,
                       batch_size=2)
    return {"window 1": lab.moving_average([3, 1, 2], 1), "window = length": lab.moving_average([3, 1, 2], 3),
            "train mode during train": all(model.log) and len(model.log) == 2, "losses": len(losses)}


def _expected_batches(n, batch_size, steps, seed):
    import torch

    g = torch.Generator().manual_seed(seed)
    perm, pos, out = torch.randperm(n, generator=g), 0, []
    for _ in range(steps):
        if pos + batch_size > n:
            perm, pos = torch.randperm(n, generator=g), 0
        out.append(sorted(perm[pos : pos + batch_size].tolist()))
        pos += batch_size
    return out


# Computed once by the grader (oracles), so judging needs no torch.
_EXPECTED_BATCHES = {key: oracle(_expected_batches, *case)
                     for key, case in {"n=6 b=2 seed=5": (6, 2, 7, 5), "n=7 b=3 seed=0": (7, 3, 5, 0)}.items()}


def _batch_order(got):
    for key, expected in _EXPECTED_BATCHES.items():
        want = expected()
        assert got[key] == want, (
            f"{key}: batches (as sorted item ids) {got[key]}, expected {want}: a new permutation at the start of "
            f"each pass, drawn from a torch.Generator seeded with `seed`; a pass ends when fewer than batch_size "
            f"items remain (when exactly batch_size remain, that batch is still used)")


@graded(task=2, points=1, check=_batch_order)
def test_train_batch_order(lab):
    """Batches follow torch.randperm(n, generator=g) per pass, g seeded with `seed` (default 0); the short
    tail is dropped, and a pass that divides evenly uses its last batch."""
    import torch

    out = {}
    for key, n, batch_size, steps, seed in (("n=6 b=2 seed=5", 6, 2, 7, 5), ("n=7 b=3 seed=0", 7, 3, 5, None)):
        model = _recording_linear(lambda module, x: sorted(int(v) for v in x[:, 0].tolist()))
        X = torch.arange(n, dtype=torch.float32).unsqueeze(1)
        kwargs = {} if seed is None else {"seed": seed}
        lab.train(model, X, torch.zeros(n, 1), torch.nn.functional.mse_loss, _SGD(model.parameters(), lr=0.0),
                  steps=steps, batch_size=batch_size, **kwargs)
        out[key] = model.log
    return out


def _figure_layout(got):
    assert got["file"], "plot_losses did not write the PNG file at `path`"
    assert got["layout"] == [3, 2], (
        f"5 curves with ncols=2 go in 3 rows of 2 panels, got rows x columns {got['layout']}")
    assert got["scales"][:5] == ["log", "symlog", "log", "symlog", "log"], (
        f"y axes: log for positive curves, symlog for a curve with a zero or a negative value; got {got['scales'][:5]}")
    assert_close(got["data"]["c"]["smooth"], [2.0, 3.0], rtol=1e-12, name="c: smooth (window 2)")
    assert_close(got["data"]["b"]["step"], np.arange(4), name="b: step")
    assert_close(got["default window"], [4.0, 5.0], rtol=1e-12, name="smooth with the default window 5")
    lines = got["first panel lines"]
    assert len(lines) == 2, f"panel 'a' should draw 2 lines (the raw loss and its moving average), got {len(lines)}"
    assert_close(lines[0], [[0.0, 1.0, 2.0], [4.0, 2.0, 1.0]], name="panel 'a', raw line (x = step, y = loss)")
    assert_close(lines[1], [[1.0, 2.0], [3.0, 1.5]], name="panel 'a', smoothed line (x from step window - 1)")


@graded(task=2, points=1, check=_figure_layout)
def test_plot_layout_and_scales(lab):
    """ncols panels a row, a logarithmic y axis (symlog when a curve has a zero or a negative value), window 2."""
    import tempfile
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    seen = {}
    real = Figure.savefig

    def spy(fig, *args, **kwargs):
        axes = [ax for ax in fig.axes if ax.axison]
        seen["layout"] = list(axes[0].get_subplotspec().get_geometry()[:2]) if axes else []
        seen["scales"] = [ax.get_yscale() for ax in axes]
        seen["first panel lines"] = [[np.asarray(line.get_xdata(), dtype=float),
                                      np.asarray(line.get_ydata(), dtype=float)]
                                     for line in axes[0].get_lines()] if axes else []
        return real(fig, *args, **kwargs)

    path = Path(tempfile.mkdtemp()) / "curves.png"
    default = lab.plot_losses({"d": [2, 3, 4, 5, 6, 7]}, Path(tempfile.mkdtemp()) / "d.png")["d"]["smooth"]
    Figure.savefig = spy
    try:
        data = lab.plot_losses({"a": [4, 2, 1], "b": [1.0, 0.0, 2.0, 1.0], "c": [1, 3, 3], "e": [2.0, -1.0],
                                "f": [3, 2, 1]}, path, window=2, ncols=2)
    finally:
        Figure.savefig = real
    return {"file": path.is_file(), "data": data, "default window": default, **seen}


### BEGIN HIDDEN TESTS
@graded(task=2, points=2, expect=REFERENCE, rtol=1e-5, atol=1e-7)
def test_train_reference(lab):
    """Batches follow the specified order: reshuffle per pass, drop the short tail (37 = 4*8 + 5)."""
    import torch

    torch.set_num_threads(1)
    X, y = lab.make_blobs(n=37, seed=4)
    model = lab.make_mlp(hidden=8, seed=4)
    opt = _SGD(model.parameters(), lr=0.1)
    losses = lab.train(model, X, y, torch.nn.functional.cross_entropy, opt, steps=12, batch_size=8, seed=9)
    return {"losses": losses, "w": model[0].weight.detach()}
### END HIDDEN TESTS


# ---------------------------------------------------------------------------------------------
# Task 3: overfit one batch, diagnose curves
# ---------------------------------------------------------------------------------------------


def _overfits(got):
    losses = np.asarray(got["losses"], dtype=np.float64)
    assert losses.shape == (150,), f"expected 150 losses, got shape {losses.shape}"
    assert 0.5 < losses[0] < 2.0, f"the first loss should be near ln 3 = 1.10 for 3 classes, got {losses[0]:.3f}"
    assert losses[-1] < 0.01, f"the last loss should be near 0 after overfitting 8 examples, got {losses[-1]:.4f}"
    logits, labels = np.asarray(got["logits"]), np.asarray(got["y"])
    assert logits.shape == (8, 3), f"expected logits of shape (8, 3), got {logits.shape}"
    wrong = int((logits.argmax(axis=1) != labels).sum())
    assert wrong == 0, f"after overfitting, the model should predict every label of the batch; {wrong} of 8 are wrong"


@graded(task=3, points=2, check=_overfits)
def test_overfit_one_batch(lab):
    """A small MLP memorises 8 examples: loss from about ln 3 to below 0.01 in 150 Adam steps."""
    import torch

    torch.set_num_threads(1)
    X, y = lab.make_blobs(n=8, seed=3)
    model = lab.make_mlp(seed=3)
    opt = _Adam(model.parameters(), lr=0.01)
    losses = lab.overfit_one_batch(model, X, y, torch.nn.functional.cross_entropy, opt, 150)
    with torch.no_grad():
        logits = model(X)
    return {"losses": losses, "logits": logits, "y": y}


def _hand_curves():
    t = np.arange(60, dtype=np.float64)
    return {
        "healthy but noisy": 2.0 * np.exp(-t / 8) + 0.01 + 0.004 * (-1.0) ** t,
        "goes up": 1.0 + 0.1 * t,
        "explodes": 1.5**t,
        "has a NaN": np.r_[np.linspace(1.0, 0.5, 30), [np.nan], np.full(29, 0.5)],
        "oscillates": 1.0 + 0.3 * (-1.0) ** t,
        "oscillates, ends 10% higher": 1.0 + 0.3 * (-1.0) ** t + 0.002 * t,
        "plateaus": 1.0 + 0.001 * np.exp(-t),
    }


@graded(
    task=3,
    points=3,
    expect={
        "healthy but noisy": "healthy",
        "goes up": "goes up",
        "explodes": "explodes",
        "has a NaN": "explodes",
        "oscillates": "oscillates",
        "oscillates, ends 10% higher": "oscillates",
        "plateaus": "plateaus",
    },
)
def test_diagnose_hand_curves(lab):
    """Hand-made curves for each rule; the healthy one is noisy but falls 100-fold, and a
    stuck curve that ends a little higher than it started has not "gone up"."""
    return {name: lab.diagnose(curve.tolist()) for name, curve in _hand_curves().items()}


@graded(task=3, points=1, expect={"max = factor x first": "plateaus", "end = rise x start": "oscillates",
                                  "end = progress x start": "healthy", "custom explode_factor": "explodes",
                                  "custom rise": "goes up", "custom progress": "healthy", "custom wiggle": "plateaus",
                                  "size = wiggle": "plateaus", "w = 1 at n = 10": "healthy",
                                  "w = 2 at n = 20": "oscillates", "tail is the second half": "plateaus"})
def test_diagnose_boundaries_and_parameters(lab):
    """Each rule's comparison at its boundary (strict > for explodes and goes up, <= for healthy),
    every threshold parameter at a non-default value, w = len(x) // 10 and the tail x[len(x) // 2:]."""
    flat = [1.0] * 20
    return {
        "max = factor x first": lab.diagnose([1.0] * 5 + [1000.0] + [1.0] * 14),
        "end = rise x start": lab.diagnose([2.0, 2.0] + [2.0] * 16 + [3.0, 3.0]),
        "end = progress x start": lab.diagnose([10.0, 10.0] + [5.0] * 16 + [1.0, 1.0]),
        "custom explode_factor": lab.diagnose([1.0, 3.0] + flat[2:], explode_factor=2.0),
        "custom rise": lab.diagnose([2.0, 2.0] + [2.0] * 16 + [2.5, 2.5], rise=1.2),
        "custom progress": lab.diagnose([10.0, 10.0] + [5.0] * 16 + [4.0, 4.0], progress=0.5),
        "custom wiggle": lab.diagnose([1.0] * 10 + [1.0, 1.1] * 5, wiggle=0.2),
        "size = wiggle": lab.diagnose([1.25] * 10 + [1.0, 1.5] * 5, wiggle=0.4),  # 0.5 / 1.25 is exactly 0.4
        # w = len // 10: one outlier at the start decides "healthy" when w = 1, not when w = 2.
        "w = 1 at n = 10": lab.diagnose([10.0] + [1.0] * 8 + [0.5]),
        "w = 2 at n = 20": lab.diagnose([10.0, 1.0] + [1.0] * 16 + [1.0, 0.5]),
        # Wiggles in the first half only: the second half is flat.
        "tail is the second half": lab.diagnose([1.0] * 10 + [1.0, 2.0, 1.0, 2.0, 1.0] + [1.0] * 15),
    }


### BEGIN HIDDEN TESTS
@graded(task=3, points=1, expect=REFERENCE)
def test_diagnose_battery(lab):
    """Seeded random curves of several lengths (w = len // 10 rounds down), with each threshold varied."""
    rng = np.random.default_rng(31)
    out = []
    for n in (1, 5, 9, 10, 19, 25, 47):
        for kind in range(4):
            start = rng.uniform(0.5, 2.0)
            trend = (0.2, 0.9, 1.3, 1.8)[kind] ** (np.arange(n) / max(n - 1, 1))
            x = start * trend * (1 + rng.uniform(0.0, 0.08) * rng.standard_normal(n))
            x = np.abs(x).tolist()
            out.append([lab.diagnose(x), lab.diagnose(x, explode_factor=1.5), lab.diagnose(x, rise=1.1),
                        lab.diagnose(x, progress=0.3), lab.diagnose(x, wiggle=0.05)])
    return out


@graded(task=3, points=1, expect=REFERENCE, rtol=1e-4, atol=1e-6)
def test_overfit_reference(lab):
    """overfit_one_batch matches the reference step for step."""
    import torch

    torch.set_num_threads(1)
    X, y = lab.make_blobs(n=5, d=8, classes=2, seed=6)
    model = lab.make_mlp(d=8, hidden=3, classes=2, seed=6)
    opt = _SGD(model.parameters(), lr=0.5)
    return lab.overfit_one_batch(model, X, y, torch.nn.functional.cross_entropy, opt, 20)


@graded(
    task=3,
    points=3,
    expect={
        "healthy, minibatches": "healthy",
        "healthy": "healthy",
        "sign flip": "goes up",
        "LR too high": "explodes",
        "labels shuffled": "oscillates",
        "probabilities to CE": "plateaus",
    },
)
def test_diagnose_planted_bug_curves(lab):
    """Real curves: a noisy healthy minibatch run, a healthy one-batch run, and each planted bug."""
    import torch

    torch.set_num_threads(1)
    curves = lab.scenario_curves(train_fn=_trusted_train, overfit_fn=_trusted_overfit, optimizer=_Adam)
    return {name: lab.diagnose(c) for name, c in curves.items()}
### END HIDDEN TESTS


# ---------------------------------------------------------------------------------------------
# Task 4: shape assertions
# ---------------------------------------------------------------------------------------------


@graded(task=4, points=1, expect={"exact": [2, 3, 5], "wildcard": [2, 8, 5]})
def test_check_shape_passes(lab):
    """Matching shapes come back unchanged; None matches any size."""
    x = np.zeros((2, 3, 5))
    z = np.zeros((2, 8, 5))
    return {"exact": list(lab.check_shape(x, (2, 3, 5)).shape),
            "wildcard": list(lab.check_shape(z, (2, None, 5)).shape)}


@graded(task=4, points=2, check=_must_raise_naming("logits", (2, 3, 5), (2, 5, 3)))
def test_check_shape_message(lab):
    """A transposed array raises AssertionError naming the array, the expected and the actual shape."""
    return _caught(lab.check_shape, np.zeros((2, 5, 3)), (2, 3, 5), name="logits")


@graded(task=4, points=1, check=_must_raise_naming((2, 3, None), (2, 3)))
def test_check_shape_rank(lab):
    """A missing axis is a mismatch too, even where the expected size is None."""
    return _caught(lab.check_shape, np.zeros((2, 3)), (2, 3, None))


@graded(task=4, points=1, expect=0.8, rtol=1e-12)
def test_checked_mse_hand(lab):
    """(5, 1) against (5, 1): one error of 2 among five, 4 / 5 = 0.8."""
    pred = np.array([[1.0], [2.0], [3.0], [4.0], [5.0]])
    target = np.array([[1.0], [2.0], [3.0], [4.0], [7.0]])
    return lab.checked_mse(pred, target)


@graded(task=4, points=2, check=_must_raise_naming((5, 1), (5,)))
def test_checked_mse_rejects_broadcast(lab):
    """pred (5, 1) with target (5,) would broadcast to (5, 5): it must raise instead."""
    return _caught(lab.checked_mse, np.arange(5.0).reshape(5, 1), np.arange(5.0))


### BEGIN HIDDEN TESTS
def _torch_shapes(got):
    assert got["value"] == "float 2", f"expected checked_mse to return float 2, got {got['value']}"
    _must_raise_naming((3, 2), (2, 3))(got["transposed"])


@graded(task=4, points=1, check=_torch_shapes)
def test_shape_tools_on_tensors(lab):
    """Tensors work too: checked_mse returns a Python float; a transposed target raises."""
    import torch

    pred = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=torch.float64)
    target = pred + torch.tensor([[1.0, 1.0, 2.0], [2.0, 1.0, 1.0]], dtype=torch.float64)
    value = lab.checked_mse(pred, target)
    return {
        "value": f"{type(value).__name__} {value:g}",
        "transposed": _caught(lab.checked_mse, pred, target.T.contiguous()),
    }
### END HIDDEN TESTS


# ---------------------------------------------------------------------------------------------
# Task 5: latency
# ---------------------------------------------------------------------------------------------


# Tolerance: perf_counter_ns reads whole nanoseconds, so a sample may differ by up to 2 ns
# (two rounded readings) from the exact duration; atol=3e-9 s admits it, and no real bug.
_NS = 3e-9


@graded(task=5, points=2, expect=[ms / 1000 for ms in _TIMED_MS], rtol=1e-9, atol=_NS)
def test_latency_samples(lab):
    """On a fake clock: 3 slow warm-up calls are run but not timed; 8 calls timed with perf_counter."""
    ms = 1e-3
    return _fake_clock_latency(lab, [w * ms for w in _WARMUP_MS], [t * ms for t in _TIMED_MS])["samples"]


def _percentiles(got):
    expected = dict(zip(("p50", "p95", "p99"), np.percentile(got["samples"], [50, 95, 99])))
    for q, value in expected.items():
        assert_close(got[q], value, rtol=1e-12, atol=1e-15, name=f"{q} (np.percentile of your own samples)")
    assert_close(got["mean"], float(np.mean(got["samples"])), rtol=1e-12, atol=1e-15, name="mean (of your own samples)")
    # Sorted samples 1.0 1.0 1.1 1.1 1.2 1.2 1.3 3.1 ms; linear interpolation at (n-1) q / 100.
    assert_close([got["p50"], got["p95"], got["p99"], got["mean"]], [1.15e-3, 2.47e-3, 2.974e-3, 1.375e-3],
                 rtol=1e-9, atol=_NS, name="p50, p95, p99, mean")


@graded(task=5, points=2, check=_percentiles)
def test_latency_percentiles(lab):
    """p50/p95/p99 equal np.percentile's default (linear) on the timed samples."""
    ms = 1e-3
    return _fake_clock_latency(lab, [w * ms for w in _WARMUP_MS], [t * ms for t in _TIMED_MS])


def _inference_settings(got):
    n = len(_WARMUP_MS) + len(_TIMED_MS)
    assert got["calls"] == n, f"expected {n} calls of the model (3 warm-up + 8 timed), got {got['calls']}"
    assert not any(got["grad"]), (
        f"autograd was on during {sum(got['grad'])} of {n} calls: use torch.inference_mode() (or no_grad)"
    )
    assert not any(got["training"]), (
        f"the model was in training mode during {sum(got['training'])} of {n} calls: call model.eval()"
    )


@graded(task=5, points=2, check=_inference_settings)
def test_latency_inference_settings(lab):
    """Every call (warm-up too) runs with gradients off and the model in eval mode."""
    return _fake_clock_latency(lab, [w * 1e-3 for w in _WARMUP_MS], [t * 1e-3 for t in _TIMED_MS])


@graded(task=5, points=1, expect={"train stays train": True, "eval stays eval": False, "train after an error": True})
def test_latency_restores_mode(lab):
    """The model's mode is restored afterwards: a model in eval mode stays in eval mode, and the mode
    comes back even when the model raises during the measurement (use try/finally)."""
    ms = [t * 1e-3 for t in _TIMED_MS]
    return {"train stays train": _fake_clock_latency(lab, [0.01], ms, "train")["training after"],
            "eval stays eval": _fake_clock_latency(lab, [0.01], ms, "eval")["training after"],
            "train after an error": _fake_clock_latency(lab, [0.01], ms, "train", fail_at=4)["training after an error"]}


### BEGIN HIDDEN TESTS
@graded(task=5, points=2, expect=REFERENCE, rtol=1e-9, atol=_NS)
def test_latency_reference(lab):
    """40 timed calls with random durations after 5 warm-up calls: samples and percentiles."""
    rng = np.random.default_rng(8)
    out = _fake_clock_latency(lab, rng.uniform(0.01, 0.05, 5), rng.lognormal(-7.0, 0.5, 40))
    return {k: out[k] for k in ("samples", "p50", "p95", "p99", "mean")}


@graded(task=5, points=1, expect=REFERENCE, rtol=1e-9, atol=_NS)
def test_latency_defaults(lab):
    """With the defaults, 10 warm-up calls and 1000 timed calls."""
    rng = np.random.default_rng(9)
    out = _fake_clock_latency(lab, rng.uniform(0.01, 0.05, 10), rng.lognormal(-7.0, 0.3, 1000), defaults=True)
    return {k: out[k] for k in ("samples", "p50", "p95", "p99", "mean", "calls")}
### END HIDDEN TESTS


# ---------------------------------------------------------------------------------------------
# Task 6: error budget
# ---------------------------------------------------------------------------------------------


@graded(
    task=6,
    points=1,
    expect={"bias": 0.10, "variance": 0.02, "val_overfit": 0.01, "verdict": "underfitting"},
    rtol=1e-9,
    atol=1e-12,
)
def test_budget_underfitting(lab):
    """Train 15%, val 17%, test 18%, target 5%: the training error itself is the problem."""
    return lab.error_budget(0.15, 0.17, 0.18, target_error=0.05)


@graded(
    task=6,
    points=1,
    expect={"bias": 0.01, "variance": 0.13, "val_overfit": 0.01, "verdict": "overfitting"},
    rtol=1e-9,
    atol=1e-12,
)
def test_budget_overfitting(lab):
    """Train 2%, val 15%, test 16%, target 1%: the gap from train to val dominates."""
    return lab.error_budget(0.02, 0.15, 0.16, target_error=0.01)


### BEGIN HIDDEN TESTS
@graded(
    task=6,
    points=1,
    expect={"bias": 0.01, "variance": 0.01, "val_overfit": 0.08, "verdict": "validation overfitting"},
    rtol=1e-9,
    atol=1e-12,
)
def test_budget_validation_overfitting(lab):
    """Train 5%, val 6%, test 14%, target 4%: tuned on the validation set until it flattered."""
    return lab.error_budget(0.05, 0.06, 0.14, target_error=0.04)


@graded(task=6, points=1, expect=REFERENCE, rtol=1e-12)
def test_budget_default_target(lab):
    """Without a target error the bias is the training error itself (target 0)."""
    return lab.error_budget(0.3, 0.35, 0.36)
### END HIDDEN TESTS
