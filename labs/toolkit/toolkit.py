"""The debugging toolkit: the helper functions you write before the first real experiment.

This file is the reference solution of the ``toolkit`` lab, written as a lesson. Read it top to
bottom: each function's docstring states what it computes (with the formula), and a short
comment per step says *why* the step is there.

The standard operating procedure it teaches:

1. split the data once, deterministically, so every later number is comparable;
2. have a minimal training loop that returns the loss history, and plot it;
3. start small: overfit ONE batch to near-zero loss, and read the curve when it will not go down
   (goes up, explodes, oscillates, plateaus);
4. assert on shapes, with messages that say what was expected and what came;
5. measure latency properly (warm-up, ``time.perf_counter``, inference mode, percentiles);
6. split the error into a budget (bias, variance, overfitting to the validation set).

Sources:

* J. Tobin, "Troubleshooting Deep Neural Networks", Full Stack Deep Learning (2019): start
  simple, overfit a single batch, and the table of curve symptoms and their usual causes.
* A. Karpathy, "A Recipe for Training Neural Networks" (2019): overfit one batch, visualise
  everything, verify the loss at initialisation.
* A. Ng, "Machine Learning Yearning" (2018), ch. 20-23: bias and variance as an error budget
  (avoidable bias = training error - target error; variance = validation - training error).
* A. Geron, "Hands-On Machine Learning", ch. 2: hash an item's stable id to choose its split,
  so the split survives a refresh of the data set and does not depend on the machine.
* Python docs, ``time.perf_counter`` (highest-resolution monotonic clock for short durations);
  PyTorch docs, ``torch.inference_mode`` and ``Module.eval``; NumPy docs, ``numpy.percentile``
  (default method "linear").
"""

from __future__ import annotations

import time
import zlib
from pathlib import Path

import numpy as np

SPLITS = ("train", "val", "test")


# ---------------------------------------------------------------------------------------------
# Task 1: deterministic train / validation / test splits
# ---------------------------------------------------------------------------------------------


def split_indices(n: int, fractions=(0.8, 0.1, 0.1), seed: int = 0) -> dict:
    """Split ``range(n)`` into disjoint, complete train/val/test index sets.

    Sizes: ``n_train = round(f_train * n)``, ``n_val = min(round(f_val * n), n - n_train)``
    (Python's ``round``; the ``min`` keeps two halves that both round up from overflowing),
    ``n_test = n - n_train - n_val``. Order: ``perm = np.random.default_rng(seed).permutation(n)``;
    train is ``perm[:n_train]``, val the next ``n_val`` entries, test the rest; each is returned
    sorted, as an int64 array, in a dict with keys ``"train"``, ``"val"``, ``"test"``.

    The same ``seed`` gives the same split on every machine and in every process (NumPy's
    PCG64 stream is platform-independent), whatever the global random state is. NumPy may
    change a Generator's streams between versions, so record the version or save the indices.
    Raises ``ValueError`` if a fraction is negative or they do not sum to 1.
    """
    ### BEGIN SOLUTION (check the fractions, permute with a generator seeded by `seed`, cut, sort)
    fractions = [float(f) for f in fractions]
    # Refuse nonsense early: a split that silently drops data is a silent bug.
    if len(fractions) != 3 or min(fractions) < 0 or abs(sum(fractions) - 1.0) > 1e-9:
        raise ValueError(f"fractions must be three non-negative numbers summing to 1, got {fractions}")
    n_train = int(round(fractions[0] * n))
    # Two fractions can both round up (0.5, 0.5 of 3): never hand out more than n indices.
    n_val = min(int(round(fractions[1] * n)), n - n_train)
    # A private generator: the split depends on `seed` only, never on np.random's global state.
    perm = np.random.default_rng(seed).permutation(n)
    # One permutation cut into consecutive pieces: disjoint and complete by construction.
    cuts = {"train": perm[:n_train], "val": perm[n_train : n_train + n_val], "test": perm[n_train + n_val :]}
    return {name: np.sort(idx).astype(np.int64) for name, idx in cuts.items()}
    ### END SOLUTION


def split_by_id(ids, val_fraction: float = 0.1, test_fraction: float = 0.1) -> list:
    """Assign each item to a split from a hash of its stable id (a string).

    ``h = zlib.crc32(id.encode("utf-8")) / 2**32`` is in [0, 1); the item goes to ``"test"`` if
    ``h < test_fraction``, else to ``"val"`` if ``h < test_fraction + val_fraction``, else to
    ``"train"``. Returns one split name per id, in order.

    An item's split depends on its id alone: adding new items never moves old ones, and every
    machine agrees. Python's built-in ``hash()`` of a string is salted per process
    (PYTHONHASHSEED), so it must not be used here.
    """
    ### BEGIN SOLUTION (crc32 of the UTF-8 id, scaled to [0, 1), then compare with the fractions)
    out = []
    for item in ids:
        # crc32 is a fixed function of the bytes: same answer on every machine and every run.
        h = zlib.crc32(str(item).encode("utf-8")) / 2**32
        out.append("test" if h < test_fraction else "val" if h < test_fraction + val_fraction else "train")
    return out
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 2: a minimal training loop and the loss plot
# ---------------------------------------------------------------------------------------------


def train(model, X, y, loss_fn, optimizer, *, steps: int, batch_size: int, seed: int = 0) -> list:
    """Minimise ``loss_fn(model(X_batch), y_batch)`` for ``steps`` steps; return the losses.

    Batches: a ``torch.Generator`` seeded with ``seed`` draws ``torch.randperm(n, generator=g)``
    at the start of each pass over the data; batches are consecutive slices of ``batch_size``;
    a pass ends when fewer than ``batch_size`` items remain (the tail is dropped).
    Each step: ``zero_grad``, forward, loss, ``backward``, ``optimizer.step()``; the recorded
    value is ``loss.item()`` computed *before* that step's update. The model is put in train mode.
    Raises ``ValueError`` if ``batch_size`` is larger than the data.
    """
    import torch

    ### BEGIN SOLUTION (seeded generator, reshuffle per pass, zero_grad/forward/backward/step, record loss.item())
    n = len(X)
    if batch_size > n:
        raise ValueError(f"batch_size {batch_size} is larger than the data ({n} items)")
    # Our own generator: the batch order depends on `seed` only, not on other code's draws.
    g = torch.Generator().manual_seed(seed)
    model.train()  # dropout and batch norm in training behaviour
    losses = []
    perm, pos = torch.randperm(n, generator=g), 0
    for _ in range(steps):
        if pos + batch_size > n:  # a new pass: reshuffle, drop the short tail
            perm, pos = torch.randperm(n, generator=g), 0
        idx = perm[pos : pos + batch_size]
        pos += batch_size
        optimizer.zero_grad()  # gradients accumulate in .grad unless cleared
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())  # a Python float: keeping the tensor would keep its graph
    return losses
    ### END SOLUTION


def moving_average(values, window: int) -> np.ndarray:
    """Mean of each run of ``window`` consecutive values: ``m_t = (x_t + ... + x_(t+window-1)) / window``.

    Returns ``len(values) - window + 1`` points (NumPy's ``"valid"`` convolution), float64.
    """
    ### BEGIN SOLUTION (mean of each run of `window` consecutive values)
    x = np.asarray(values, dtype=np.float64)
    if not 1 <= window <= len(x):
        raise ValueError(f"window must be between 1 and {len(x)}, got {window}")
    return np.convolve(x, np.ones(window) / window, mode="valid")
    ### END SOLUTION


def plot_losses(curves: dict, path, window: int = 5, ncols: int = 3) -> dict:
    """Plot each named loss curve (raw and smoothed) in its own panel, side by side; save to ``path``.

    Returns what was plotted: ``{name: {"step": int array, "loss": float array,
    "smooth": moving_average(loss, window)}}``. The smoothed line starts at step ``window - 1``.
    Panels sit in rows of ``ncols``. The y axis is logarithmic (``symlog`` if a curve has zeros
    or negative values), so curves that span orders of magnitude stay readable.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ### BEGIN SOLUTION (one panel per curve: raw loss and its moving average; save; return the arrays)
    plotted = {}
    ncols = min(ncols, len(curves))
    nrows = -(-len(curves) // ncols)  # ceiling division
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.3 * nrows), squeeze=False)
    for ax in axes.flat[len(curves) :]:
        ax.axis("off")  # unused panels
    for ax, (name, losses) in zip(axes.flat, curves.items()):
        loss = np.asarray(losses, dtype=np.float64)
        step = np.arange(len(loss))
        smooth = moving_average(loss, min(window, len(loss)))
        ax.plot(step, loss, lw=0.8, alpha=0.5, label="loss")
        ax.plot(step[len(step) - len(smooth) :], smooth, lw=1.5, label=f"mean of {window}")
        finite = loss[np.isfinite(loss)]  # NaN and inf points are simply not drawn
        if finite.size and finite.min() > 0:
            ax.set_yscale("log")
        else:
            ax.set_yscale("symlog", linthresh=1e-2)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(which="both", labelsize=7)
        plotted[name] = {"step": step, "loss": loss, "smooth": smooth}
    for row in axes:
        row[0].set_ylabel("training loss", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)  # figures are not freed until closed
    return plotted
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 3: start small - overfit one batch, and read the curve
# ---------------------------------------------------------------------------------------------


def overfit_one_batch(model, X, y, loss_fn, optimizer, steps: int) -> list:
    """Train on the same batch ``(X, y)`` for ``steps`` steps; return ``loss.item()`` per step.

    A correct model and pipeline drive this loss to about 0: a small network can memorise a
    handful of examples. If it cannot, there is a bug; more data or a bigger model will not help.
    """
    ### BEGIN SOLUTION (the training step of `train`, always on the whole batch)
    model.train()
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
    ### END SOLUTION


def diagnose(losses, explode_factor: float = 1000.0, rise: float = 1.5, progress: float = 0.1,
             wiggle: float = 0.01) -> str:
    """Name the symptom of a training-loss curve; the first rule that applies wins.

    With ``x`` the losses, ``w = max(1, len(x) // 10)``, ``start = mean(x[:w])`` and
    ``end = mean(x[-w:])``:

    1. ``"explodes"`` if any loss is NaN or infinite, or ``max(x) > explode_factor * x[0]``;
    2. ``"goes up"`` if ``end > rise * start`` (a real rise, not the noise of a flat curve);
    3. ``"healthy"`` if ``end <= progress * start`` (noise does not matter if the trend is down);
    4. otherwise the curve is stuck; on its second half ``t = x[len(x) // 2:]``:
       ``"oscillates"`` if ``mean(|diff(t)|) / mean(t) > wiggle``, else ``"plateaus"``.

    Typical causes (Tobin 2019): goes up - flipped sign of the loss or gradient; explodes -
    learning rate too high, numerical problems; oscillates - labels shuffled or corrupted,
    learning rate too high; plateaus - probabilities fed to a loss that expects logits, learning
    rate too low, no gradient flow. Losses are assumed non-negative. The defaults suit the curves
    of this lab: overfitting one batch, where a healthy loss falls by orders of magnitude.
    """
    ### BEGIN SOLUTION (apply the four rules in order: trend first, noise only for stuck curves)
    x = np.asarray(losses, dtype=np.float64)
    if not np.all(np.isfinite(x)) or x.max() > explode_factor * x[0]:
        return "explodes"
    w = max(1, len(x) // 10)
    start, end = x[:w].mean(), x[-w:].mean()  # averages: one noisy batch must not decide
    if end > rise * start:
        return "goes up"
    if end <= progress * start:
        return "healthy"  # minibatch noise on a falling curve is normal, not oscillation
    tail = x[len(x) // 2 :]
    size = np.abs(np.diff(tail)).mean() / tail.mean()  # typical step-to-step change, relative
    return "oscillates" if size > wiggle else "plateaus"
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 4: shape assertions that teach
# ---------------------------------------------------------------------------------------------


def check_shape(x, expected, name: str = "tensor"):
    """Return ``x`` if ``x.shape`` matches ``expected``; else raise ``AssertionError``.

    ``expected`` is a tuple; ``None`` matches any size in that position; the ranks must agree.
    The message names ``name``, the expected shape and the shape that came, e.g.
    ``"logits: expected shape (2, 3, 5), got (2, 5, 3)"``. It raises explicitly instead of using
    an ``assert`` statement, which ``python -O`` removes.
    """
    ### BEGIN SOLUTION (compare rank and each non-None size; raise AssertionError naming both shapes)
    got = tuple(int(s) for s in x.shape)
    want = tuple(expected)
    ok = len(got) == len(want) and all(w is None or w == g for w, g in zip(want, got))
    if not ok:
        raise AssertionError(f"{name}: expected shape {want}, got {got}")
    return x
    ### END SOLUTION


def checked_mse(pred, target) -> float:
    """Mean squared error ``mean((pred - target)**2)`` that refuses mismatched shapes.

    ``pred`` of shape (N, 1) minus ``target`` of shape (N,) broadcasts to (N, N) and gives a
    wrong number without an error (``torch.nn.MSELoss`` only warns). Here any shape mismatch
    raises ``AssertionError`` (via :func:`check_shape`). Works on NumPy arrays and tensors;
    returns a Python float.
    """
    ### BEGIN SOLUTION (check target's shape against pred's, then the mean of squared differences)
    check_shape(target, tuple(pred.shape), name="target")
    return float(((pred - target) ** 2).mean())
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 5: latency, measured properly
# ---------------------------------------------------------------------------------------------


def measure_latency(model, x, *, n_warmup: int = 10, n_runs: int = 1000) -> dict:
    """Time ``model(x)`` (one input, one call) the way a serving benchmark should.

    * ``n_warmup`` calls first, not timed: the first calls pay one-off costs (memory allocation,
      kernel selection, caches) that the steady state does not;
    * ``model.eval()`` and ``torch.inference_mode()``: no dropout, no autograd graph;
    * each of ``n_runs`` calls timed alone with ``time.perf_counter()`` (monotonic, highest
      resolution; ``time.time()`` is wall-clock time and can jump); on a GPU, synchronise
      before reading the clock because kernels run asynchronously;
    * report percentiles ``np.percentile(samples, [50, 95, 99])`` (linear interpolation).

    Returns ``{"samples": float64 array of n_runs seconds, "p50", "p95", "p99", "mean"}``.
    The model's train/eval mode is restored afterwards.
    """
    import torch

    ### BEGIN SOLUTION (eval + inference_mode; warm up untimed; time each call with perf_counter; percentiles)
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()  # dropout off, batch norm uses running statistics
    on_gpu = getattr(x, "is_cuda", False)
    samples = np.empty(n_runs, dtype=np.float64)
    try:
        with torch.inference_mode():  # no graph is recorded: faster, and what serving does
            for _ in range(n_warmup):  # warm-up: run, but never time
                model(x)
            for i in range(n_runs):
                if on_gpu:
                    torch.cuda.synchronize()
                t0 = time.perf_counter()
                model(x)
                if on_gpu:
                    torch.cuda.synchronize()  # wait for the kernels, or we time only the launch
                samples[i] = time.perf_counter() - t0
    finally:
        if hasattr(model, "train"):
            model.train(was_training)
    p50, p95, p99 = np.percentile(samples, [50, 95, 99])
    return {"samples": samples, "p50": float(p50), "p95": float(p95), "p99": float(p99), "mean": float(samples.mean())}
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 6: the error budget
# ---------------------------------------------------------------------------------------------


def error_budget(train_error: float, val_error: float, test_error: float, target_error: float = 0.0) -> dict:
    """Split the test error into parts that point at different fixes.

    * ``bias = train_error - target_error`` (avoidable bias: underfitting; target = human-level
      or best known error),
    * ``variance = val_error - train_error`` (overfitting the training set),
    * ``val_overfit = test_error - val_error`` (overfitting the validation set by tuning on it).

    ``verdict`` names the largest part: ``"underfitting"``, ``"overfitting"`` or
    ``"validation overfitting"`` (ties go to the earlier one). This is a budget, not the
    statistical decomposition of squared error into bias squared plus variance.
    """
    ### BEGIN SOLUTION (three differences; the verdict is the name of the largest)
    parts = {
        "bias": train_error - target_error,
        "variance": val_error - train_error,
        "val_overfit": test_error - val_error,
    }
    names = {"bias": "underfitting", "variance": "overfitting", "val_overfit": "validation overfitting"}
    largest = max(parts, key=lambda k: parts[k])  # max keeps the first of equal values
    return {**parts, "verdict": names[largest]}
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Provided code (not a task): data, a small model you know, the planted-bug scenarios, figures
# ---------------------------------------------------------------------------------------------


def make_blobs(n: int = 480, d: int = 5, classes: int = 3, spread: float = 3.0, seed: int = 0):
    """Gaussian blobs: class centres ~ N(0, spread^2 I), points ~ N(centre, I). Returns (X, y)."""
    import torch

    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(classes, d, generator=g) * spread
    y = torch.randint(0, classes, (n,), generator=g)
    X = centres[y] + torch.randn(n, d, generator=g)
    return X, y


def make_mlp(d: int = 5, hidden: int = 32, classes: int = 3, seed: int = 0):
    """The small model we know: Linear(d, hidden) - ReLU - Linear(hidden, classes), seeded."""
    import torch

    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(d, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, classes))


SCENARIOS = ("healthy, minibatches", "healthy", "sign flip", "LR too high", "labels shuffled", "probabilities to CE")


def scenario_curves(steps: int = 100, train_fn=None, overfit_fn=None, optimizer=None) -> dict:
    """Loss curves of a healthy run and of each planted bug, on the same 16-example batch.

    All runs: :func:`make_mlp`, Adam with lr 0.003, cross-entropy, ``steps`` steps.
    "healthy, minibatches" trains on 480 blobs in batches of 16 (a noisy but healthy curve); the
    others overfit one batch: "sign flip" ascends the gradient (``maximize=True``), "LR too high"
    uses lr 10, "labels shuffled" re-permutes the targets at every step, "probabilities to CE"
    applies softmax before ``cross_entropy``, which expects logits.
    ``train_fn``/``overfit_fn`` default to this module's :func:`train` and :func:`overfit_one_batch`;
    ``optimizer(params, lr=..., maximize=...)`` defaults to ``torch.optim.Adam``.
    """
    import torch

    F = torch.nn.functional
    train_fn = train_fn or train
    overfit_fn = overfit_fn or overfit_one_batch
    X, y = make_blobs()
    Xb, yb = X[:16], y[:16]
    g = torch.Generator().manual_seed(1)

    def shuffled_labels(logits, target):  # the bug: labels no longer belong to their inputs
        return F.cross_entropy(logits, target[torch.randperm(len(target), generator=g)])

    def probabilities(logits, target):  # the bug: cross_entropy applies log-softmax itself
        return F.cross_entropy(logits.softmax(dim=-1), target)

    optimizer = optimizer or torch.optim.Adam

    def adam(model, **kw):
        return optimizer(model.parameters(), **{"lr": 0.003, **kw})

    curves = {}
    model = make_mlp()
    curves["healthy, minibatches"] = train_fn(model, X, y, F.cross_entropy, adam(model), steps=steps, batch_size=16)
    for name, loss_fn, opt_kw in [
        ("healthy", F.cross_entropy, {}),
        ("sign flip", F.cross_entropy, {"maximize": True}),
        ("LR too high", F.cross_entropy, {"lr": 10.0}),
        ("labels shuffled", shuffled_labels, {}),
        ("probabilities to CE", probabilities, {}),
    ]:
        model = make_mlp()
        curves[name] = overfit_fn(model, Xb, yb, loss_fn, adam(model, **opt_kw), steps)
    return curves


def make_figures(outdir) -> list:
    """Save ``toolkit-loss-curves.png`` and ``toolkit-latency.png`` in ``outdir``; return their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    curves = scenario_curves()
    titled = {f"{name}\n-> {diagnose(c)}": c for name, c in curves.items()}
    paths = [outdir / "toolkit-loss-curves.png", outdir / "toolkit-latency.png"]
    plot_losses(titled, paths[0])

    # Latency of a small MLP: every call, warm-up included, then the steady-state percentiles.
    model, x = make_mlp(d=64, hidden=256, classes=8), torch.randn(1, 64)
    n_first = 20
    first = np.empty(n_first)
    with torch.inference_mode():
        for i in range(n_first):
            t0 = time.perf_counter()
            model(x)
            first[i] = time.perf_counter() - t0
    stats = measure_latency(model, x, n_warmup=0, n_runs=1000)
    fig, (a, b) = plt.subplots(1, 2, figsize=(7, 2.6))
    a.plot(np.arange(n_first), first * 1e6, "o-", ms=3)
    a.set_title("first calls (warm-up)", fontsize=9)
    a.set_xlabel("call", fontsize=8)
    a.set_ylabel("latency (us)", fontsize=8)
    top = 3 * stats["p99"]  # rare stalls (other processes, the OS) would squash the histogram
    n_out = int((stats["samples"] > top).sum())
    b.hist(stats["samples"] * 1e6, bins=80, range=(0.5 * stats["p50"] * 1e6, top * 1e6), color="0.6")
    b.set_yscale("log")  # the tail is a few calls among a thousand
    for q, style in (("p50", "-"), ("p95", "--"), ("p99", ":")):
        b.axvline(stats[q] * 1e6, color="k", ls=style, label=f"{q} {stats[q] * 1e6:.0f} us")
    b.set_title(f"1000 timed calls after warm-up ({n_out} beyond 3 x p99)", fontsize=9)
    b.set_xlabel("latency (us)", fontsize=8)
    b.legend(fontsize=7)
    for ax in (a, b):
        ax.tick_params(which="both", labelsize=7)
    fig.tight_layout()
    fig.savefig(paths[1], dpi=90)
    plt.close(fig)
    return paths


if __name__ == "__main__":
    for p in make_figures("."):
        print(p)
