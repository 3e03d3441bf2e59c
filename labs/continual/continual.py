"""Continuous learning and drift monitoring, made measurable on a CPU in seconds.

This file is the reference solution of the `continual` lab, written as a lesson. It turns
the "challenges of continuous learning" into numbers you can test:

1. catastrophic forgetting: the accuracy matrix R, ACC and backward transfer (BWT);
2. a reservoir replay buffer (Algorithm R);
3. elastic weight consolidation (EWC): a diagonal Fisher and a quadratic penalty;
4. drift statistics: the population stability index (PSI) and the Kolmogorov-Smirnov statistic;
5. alarm thresholds from a permutation test, with Holm's correction across features;
6. a monitored feedback loop: champion/challenger gate on a fixed golden set, immutable versions.

All data is synthetic (Gaussian blobs drawn with numpy); nothing is downloaded.

Sources:
- Kirkpatrick et al. 2017, "Overcoming catastrophic forgetting in neural networks" (EWC), PNAS.
- Lopez-Paz & Ranzato 2017, "Gradient Episodic Memory for Continual Learning" (ACC, BWT).
- van de Ven & Tolias 2019, "Three scenarios for continual learning", arXiv:1904.07734
  (EWC fails class-incremental learning; replay works).
- Vitter 1985, "Random sampling with a reservoir", ACM TOMS (Algorithm R, credited there to Waterman).
- Holm 1979, "A simple sequentially rejective multiple test procedure", Scand. J. Statistics.
- Yurdakul 2018, "Statistical properties of the population stability index" (PSI under no drift).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np

# ---------------------------------------------------------------------------------------------
# Provided helpers: synthetic data, a small model, a training loop. Not part of the exercise.
# ---------------------------------------------------------------------------------------------

DIM = 5  # input features


def class_means(n_classes: int, dim: int = DIM, spread: float = 3.0, seed: int = 1234) -> np.ndarray:
    """Fixed class centres, shape (n_classes, dim): the same for every call with the same seed."""
    return np.random.default_rng(seed).normal(0.0, spread, size=(n_classes, dim))


def make_blobs(classes, n_per_class: int, seed: int = 0, shift=0.0, means: np.ndarray | None = None):
    """Gaussian blobs: ``n_per_class`` points (unit noise) around each class centre.

    Returns ``X`` float64 of shape (n, DIM) and ``y`` int64 of shape (n,), shuffled.
    ``shift`` (a number or a DIM-vector) moves every point: covariate drift.
    """
    means = class_means(max(classes) + 1) if means is None else means
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(means[c], 1.0, size=(n_per_class, means.shape[1])) for c in classes])
    y = np.concatenate([np.full(n_per_class, c, dtype=np.int64) for c in classes])
    order = rng.permutation(len(y))
    return X[order] + np.asarray(shift, dtype=np.float64), y[order]


def incremental_means(offset: float = 3.5, seed: int = 1234) -> np.ndarray:
    """Centres of 4 classes, shape (4, DIM): class 2 sits ``offset`` away from class 0 and
    class 3 the same vector away from class 1, so task B's inputs resemble task A's."""
    rng = np.random.default_rng(seed)
    first = rng.normal(0.0, 3.0, size=(2, DIM))
    step = rng.normal(0.0, 1.0, size=DIM)
    return np.vstack([first, first + step / np.linalg.norm(step) * offset])


def class_incremental_tasks(seed: int = 0, n_train: int = 100, n_test: int = 200):
    """Two tasks: A = classes {0, 1}, B = classes {2, 3}, one shared 4-way head.

    Each task is a dict with ``X``, ``y`` (training) and ``X_test``, ``y_test``.
    """
    tasks = []
    means = incremental_means()
    for t, classes in enumerate(([0, 1], [2, 3])):
        X, y = make_blobs(classes, n_train, seed=seed * 100 + 2 * t, means=means)
        Xt, yt = make_blobs(classes, n_test, seed=seed * 100 + 2 * t + 1, means=means)
        tasks.append({"X": X, "y": y, "X_test": Xt, "y_test": yt})
    return tasks


def make_model(n_classes: int = 4, dim: int = DIM, hidden: int = 16, seed: int = 0):
    """A small MLP (dim -> hidden -> n_classes) in float64, seeded."""
    import torch

    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(dim, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, n_classes)
    ).double()


def flat_params(model):
    """All parameters as one detached 1-D tensor, in ``model.parameters()`` order."""
    import torch

    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).clone()


def set_flat_params(model, vector) -> None:
    """Load a 1-D tensor made by :func:`flat_params` back into ``model``."""
    import torch

    vector = torch.as_tensor(vector, dtype=torch.float64)
    start = 0
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(vector[start : start + p.numel()].reshape(p.shape))
            start += p.numel()


def accuracy(model, X, y) -> float:
    """Fraction of rows of ``X`` whose arg-max logit equals ``y``."""
    import torch

    with torch.no_grad():
        pred = model(torch.as_tensor(X, dtype=torch.float64)).argmax(dim=1).numpy()
    return float(np.mean(pred == np.asarray(y)))


def fit(model, X, y, *, epochs: int = 20, lr: float = 0.1, batch_size: int = 20, seed: int = 0,
        replay=None, penalty=None, on_epoch=None) -> None:
    """Plain minibatch SGD on the cross-entropy, in place.

    ``replay``: ``(X_buf, y_buf)`` arrays; every minibatch of new data is joined by as many
    examples drawn uniformly (with replacement) from the buffer: a 1:1 mix.
    ``penalty``: a function ``model -> scalar tensor`` added to the loss (EWC).
    ``on_epoch``: called with no argument after each epoch (to log accuracies).
    """
    import torch

    rng = np.random.default_rng(seed)
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64)
    params = list(model.parameters())
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for start in range(0, len(y), batch_size):
            idx = order[start : start + batch_size]
            xb, yb = X[idx], y[idx]
            if replay is not None and len(replay[1]) > 0:
                pick = rng.integers(0, len(replay[1]), size=len(idx))
                xb = np.concatenate([xb, replay[0][pick]])
                yb = np.concatenate([yb, replay[1][pick]])
            loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(xb)), torch.from_numpy(yb))
            if penalty is not None:
                loss = loss + penalty(model)
            # Plain SGD by hand (torch.optim's first use imports torch._dynamo: seconds on a CPU).
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g in zip(params, grads):
                    p -= lr * g
        if on_epoch is not None:
            on_epoch()


# ---------------------------------------------------------------------------------------------
# Task 1: catastrophic forgetting, measured
# ---------------------------------------------------------------------------------------------


def forgetting_metrics(R) -> dict:
    """ACC and backward transfer from the accuracy matrix.

    ``R[t, i]`` = accuracy on task i after training on tasks 0..t (T tasks, 0-based).

    $$\\mathrm{ACC} = \\frac{1}{T}\\sum_{i=0}^{T-1} R_{T-1,i}, \\qquad
      \\mathrm{BWT} = \\frac{1}{T-1}\\sum_{i=0}^{T-2} \\left(R_{T-1,i} - R_{i,i}\\right)$$

    BWT < 0 means forgetting: training later tasks lowered the accuracy on earlier ones.
    Returns ``{"acc": float, "bwt": float}``.
    """
    ### BEGIN SOLUTION (ACC = mean of the last row of R; BWT = mean of R[T-1, i] - R[i, i] for i < T-1)
    R = np.asarray(R, dtype=np.float64)
    T = R.shape[0]
    # The last row is the model we end with: its accuracy on every task.
    acc = R[T - 1].mean()
    # Compare each earlier task's final accuracy with its accuracy right after learning it.
    bwt = float(np.mean(R[T - 1, : T - 1] - np.diag(R)[: T - 1])) if T > 1 else 0.0
    return {"acc": float(acc), "bwt": bwt}
    ### END SOLUTION


def train_sequence(tasks, strategy: str = "finetune", *, epochs: int = 15, lr: float = 0.1,
                   buffer_size: int = 100, ewc_lambda: float = 1e4, seed: int = 0) -> dict:
    """Train one model on the tasks in order and record what it remembers.

    Strategies:
    - ``"finetune"``: plain SGD on each task in turn.
    - ``"replay"``: after a task is learned, stream its training examples, in order, into one
      :class:`Reservoir` (capacity ``buffer_size``, seed ``seed``); later tasks train with
      ``fit(..., replay=(X_buf, y_buf))``.
    - ``"ewc"``: after a task is learned, store the anchor ``flat_params(model)`` and the
      :func:`diagonal_fisher` on THAT task's training data; later tasks add
      :func:`ewc_penalty` with ``ewc_lambda``.

    Use ``make_model(seed=seed)`` and ``fit(..., epochs=epochs, lr=lr, seed=seed + t)`` for task t.

    Returns a dict:
    - ``"R"``: (T, T) array, ``R[t, i]`` = test accuracy on task i after training task t;
    - ``"curve"``: (T * epochs, T) array, test accuracy on every task after every epoch;
    - ``"anchor"``, ``"fisher"``: 1-D tensors, the anchor and Fisher that the penalty of the LAST
      task used, i.e. those of task T-2 (``None`` unless ``"ewc"``; none is made after the last task).
    """
    ### BEGIN SOLUTION (per task: fit with the strategy's replay/penalty, fill row t of R; update buffer/anchor+Fisher)
    if strategy not in ("finetune", "replay", "ewc"):
        raise ValueError(f"unknown strategy {strategy!r} (finetune, replay or ewc)")
    T = len(tasks)
    model = make_model(seed=seed)
    R = np.zeros((T, T))
    curve = []
    buffer = Reservoir(buffer_size, seed=seed)
    anchor = fisher = None

    def log_epoch():
        # Accuracy on every task (seen or not) after each epoch: the forgetting curve.
        curve.append([accuracy(model, task["X_test"], task["y_test"]) for task in tasks])

    for t, task in enumerate(tasks):
        replay = None
        if strategy == "replay" and buffer.items:
            # Old examples are mixed into every minibatch of the new task.
            X_buf = np.stack([x for x, _ in buffer.items])
            y_buf = np.array([label for _, label in buffer.items], dtype=np.int64)
            replay = (X_buf, y_buf)
        penalty = None
        if strategy == "ewc" and anchor is not None:
            # Freeze the values: the closure must not see later reassignments.
            penalty = (lambda a, f: lambda m: ewc_penalty(m, a, f, ewc_lambda))(anchor, fisher)
        fit(model, task["X"], task["y"], epochs=epochs, lr=lr, seed=seed + t,
            replay=replay, penalty=penalty, on_epoch=log_epoch)
        # Row t of R: the model right after task t, tested on every task.
        R[t] = [accuracy(model, other["X_test"], other["y_test"]) for other in tasks]
        if strategy == "replay":
            # The stream of this task's examples passes through the reservoir once.
            for x, label in zip(task["X"], task["y"]):
                buffer.add((x, int(label)))
        if strategy == "ewc" and t < T - 1:
            # Importance of each weight FOR THIS TASK, measured where this task was solved.
            anchor = flat_params(model)
            fisher = diagonal_fisher(model, task["X"], task["y"])
    return {"R": R, "curve": np.array(curve), "anchor": anchor, "fisher": fisher}
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 2: a reservoir replay buffer (Algorithm R)
# ---------------------------------------------------------------------------------------------


class Reservoir:
    """A uniform sample of fixed size ``capacity`` from a stream of unknown length.

    Algorithm R (Waterman's, in Vitter 1985): keep the first ``capacity`` items; the item with
    0-based index ``i >= capacity`` draws ``j = rng.integers(0, i + 1)`` (uniform on {0, ..., i}) and
    replaces ``items[j]`` if ``j < capacity``. After n items every item is in the buffer with
    probability ``capacity / n``. ``rng = np.random.default_rng(seed)``; exactly one draw per
    item once the buffer is full, none before.
    """

    def __init__(self, capacity: int, seed: int = 0):
        self.capacity = capacity
        self.rng = np.random.default_rng(seed)
        self.items: list = []
        self.seen = 0  # items offered so far

    def add(self, item) -> None:
        """Offer one item of the stream to the buffer."""
        ### BEGIN SOLUTION (fill up to capacity; then item i replaces items[j], j ~ U{0..i}, if j < capacity)
        i = self.seen
        self.seen += 1
        if len(self.items) < self.capacity:
            # Until the buffer is full every item is kept: probability 1 = capacity / capacity.
            self.items.append(item)
            return
        # Keep item i with probability capacity / (i + 1), evicting a uniformly chosen slot,
        # so every earlier item survives with probability capacity / (i + 1) as well.
        j = int(self.rng.integers(0, i + 1))
        if j < self.capacity:
            self.items[j] = item
        ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 3: elastic weight consolidation (EWC)
# ---------------------------------------------------------------------------------------------


def diagonal_fisher(model, X, y):
    """The (empirical) diagonal Fisher information of ``model`` on the labelled data (X, y).

    $$F_k = \\frac{1}{N}\\sum_{n=1}^{N}\\left(\\frac{\\partial}{\\partial\\theta_k}
            \\log p_\\theta(y_n \\mid x_n)\\right)^2$$

    The mean of PER-SAMPLE squared gradients (not the square of a batch-mean gradient),
    with the observed labels ``y_n``. (The "true" Fisher instead averages over labels drawn
    from the model, ``y ~ p_theta(. | x_n)``.) Returns a 1-D float64 tensor in
    :func:`flat_params` order.
    """
    import torch
    ### BEGIN SOLUTION (one backward per sample of log_softmax(model(x))[y]; average the squared gradients)

    X = torch.as_tensor(np.asarray(X), dtype=torch.float64)
    y = torch.as_tensor(np.asarray(y), dtype=torch.int64)
    params = list(model.parameters())
    total = torch.zeros(sum(p.numel() for p in params), dtype=torch.float64)
    for n in range(len(y)):
        # The gradient of ONE example's log-likelihood: squaring a batch mean would lose the
        # per-example spread that the Fisher measures.
        log_p = torch.log_softmax(model(X[n : n + 1]), dim=1)[0, y[n]]
        grads = torch.autograd.grad(log_p, params)
        total += torch.cat([g.reshape(-1) for g in grads]) ** 2
    return total / len(y)
    ### END SOLUTION


def ewc_penalty(model, anchor, fisher, lam: float):
    """The EWC penalty that keeps important weights near their old values.

    $$\\Omega(\\theta) = \\frac{\\lambda}{2}\\sum_k F_k\\,(\\theta_k - \\theta^*_k)^2,
      \\qquad \\nabla\\Omega = \\lambda\\,F\\odot(\\theta - \\theta^*)$$

    ``anchor`` = theta* (1-D, :func:`flat_params` order), ``fisher`` = F. Returns a scalar
    tensor that autograd can differentiate with respect to the model's parameters.
    """
    import torch
    ### BEGIN SOLUTION (concatenate the live parameters, then (lam / 2) * sum(F * (theta - anchor) ** 2))

    # Keep the graph: the parameters themselves, not a detached copy.
    theta = torch.cat([p.reshape(-1) for p in model.parameters()])
    anchor = torch.as_tensor(anchor, dtype=theta.dtype)
    fisher = torch.as_tensor(fisher, dtype=theta.dtype)
    return 0.5 * lam * torch.sum(fisher * (theta - anchor) ** 2)
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 4: drift statistics
# ---------------------------------------------------------------------------------------------


def bin_edges(reference, n_bins: int = 10) -> np.ndarray:
    """Interior edges of ``n_bins`` equal-frequency bins of the REFERENCE sample.

    ``np.quantile(reference, [1/B, 2/B, ..., (B-1)/B])`` (default linear interpolation); the
    outer bins are open: (-inf, e_1), [e_1, e_2), ..., [e_{B-1}, +inf).
    """
    return np.quantile(np.asarray(reference, dtype=np.float64), np.arange(1, n_bins) / n_bins)


def bin_proportions(x, edges) -> np.ndarray:
    """Fraction of ``x`` in each bin; a value equal to an edge goes to the bin on its right."""
    idx = np.searchsorted(edges, np.asarray(x, dtype=np.float64), side="right")
    return np.bincount(idx, minlength=len(edges) + 1) / len(idx)


def psi(reference, current, n_bins: int = 10, eps: float = 1e-4, edges=None) -> float:
    """Population stability index of ``current`` against ``reference``.

    $$\\mathrm{PSI} = \\sum_{b=1}^{B} (a_b - e_b)\\,\\ln\\frac{a_b}{e_b}$$

    ``e_b``, ``a_b``: fractions of the reference and current samples in bin b, each clipped
    below at ``eps`` (``max(p, eps)``) so that an empty bin gives a large, finite term.
    Bins are fixed by the reference (:func:`bin_edges`) unless ``edges`` is given. With the
    same edges, PSI is symmetric: swapping the samples gives the same value.
    """
    ### BEGIN SOLUTION (edges from the reference unless given; proportions clipped at eps; sum (a - e) * ln(a / e))
    # Fixed bins: refitting them on the current window would hide the shift being measured.
    edges = bin_edges(reference, n_bins) if edges is None else np.asarray(edges, dtype=np.float64)
    e = np.maximum(bin_proportions(reference, edges), eps)
    a = np.maximum(bin_proportions(current, edges), eps)
    return float(np.sum((a - e) * np.log(a / e)))
    ### END SOLUTION


def ks_statistic(a, b) -> float:
    """Two-sample Kolmogorov-Smirnov statistic.

    $$D = \\sup_x \\left|F_a(x) - F_b(x)\\right|$$

    with ``F`` the empirical CDFs (fraction of the sample <= x). The supremum is reached at one
    of the sample points, so evaluate both CDFs at every value of the pooled sample.
    """
    ### BEGIN SOLUTION (sort both samples; both empirical CDFs at every pooled value, searchsorted side="right")
    a = np.sort(np.asarray(a, dtype=np.float64))
    b = np.sort(np.asarray(b, dtype=np.float64))
    points = np.concatenate([a, b])
    # side="right" counts values <= x: the CDF is right-continuous.
    cdf_a = np.searchsorted(a, points, side="right") / len(a)
    cdf_b = np.searchsorted(b, points, side="right") / len(b)
    return float(np.max(np.abs(cdf_a - cdf_b)))
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 5: alarm thresholds from a permutation test, corrected across features
# ---------------------------------------------------------------------------------------------


def permutation_pvalue(reference, current, statistic=psi, n_perm: int = 199, seed: int = 0) -> float:
    """p-value of ``statistic(reference, current)`` under "no drift", by permutation.

    Under no drift the pooled sample is exchangeable: split it at random into parts of the
    original sizes and recompute the statistic. With ``rng = np.random.default_rng(seed)`` and
    ``perm = rng.permutation(n + m)`` for each of the ``n_perm`` splits
    (reference part ``pooled[perm[:n]]``, current part ``pooled[perm[n:]]``):

    $$p = \\frac{1 + \\#\\{k : s_k \\ge s_{obs}\\}}{1 + n_{perm}}$$

    The +1 counts the observed split itself, so p is never 0 and the test keeps its level.
    """
    ### BEGIN SOLUTION (pool; the statistic on n_perm random splits of the original sizes; count those >= observed)
    reference = np.asarray(reference, dtype=np.float64)
    current = np.asarray(current, dtype=np.float64)
    n = len(reference)
    pooled = np.concatenate([reference, current])
    observed = statistic(reference, current)
    rng = np.random.default_rng(seed)
    count = 0
    for _ in range(n_perm):
        perm = rng.permutation(len(pooled))
        # The same statistic, bins refit on the permuted "reference" part exactly as on the real one.
        if statistic(pooled[perm[:n]], pooled[perm[n:]]) >= observed:
            count += 1
    return (1 + count) / (1 + n_perm)
    ### END SOLUTION


def holm(pvalues, alpha: float = 0.05) -> np.ndarray:
    """Holm's step-down correction: which hypotheses to reject at family-wise level ``alpha``.

    Sort the m p-values ascending, p_(1) <= ... <= p_(m). Reject H_(1), ..., H_(k) where k is
    the largest index with p_(j) <= alpha / (m - j + 1) for every j <= k; stop at the first
    failure. Returns a boolean array in the ORIGINAL order.
    """
    ### BEGIN SOLUTION (sort ascending; reject while p_(j) <= alpha / (m - j + 1), j = 1..m; stop at the first failure)
    p = np.asarray(pvalues, dtype=np.float64)
    m = len(p)
    reject = np.zeros(m, dtype=bool)
    for rank, idx in enumerate(np.argsort(p, kind="stable")):
        # The smallest p-value faces alpha / m, the next alpha / (m - 1), ...
        if p[idx] > alpha / (m - rank):
            break
        reject[idx] = True
    return reject
    ### END SOLUTION


def monitor_window(reference, current, *, n_bins: int = 10, alpha: float = 0.05,
                   n_perm: int = 199, seed: int = 0) -> dict:
    """Check one window of ``current`` data (m, d) against ``reference`` (n, d), feature by feature.

    For feature k: ``psi[k] = psi(reference[:, k], current[:, k], n_bins)``,
    ``pvalue[k] = permutation_pvalue(reference[:, k], current[:, k], statistic, n_perm, seed + k)``
    with ``statistic = psi`` at ``n_bins``; ``alarm = holm(pvalue, alpha)``.
    Returns ``{"psi": (d,), "pvalue": (d,), "alarm": (d,) bool, "any": bool}``.
    """
    ### BEGIN SOLUTION (per feature: PSI and its permutation p-value; Holm across features, not a fixed 0.1/0.25 cut)
    reference = np.asarray(reference, dtype=np.float64)
    current = np.asarray(current, dtype=np.float64)
    d = reference.shape[1]

    def stat(r, c):
        return psi(r, c, n_bins)

    values = np.array([stat(reference[:, k], current[:, k]) for k in range(d)])
    # A fixed cut (0.1 / 0.25) ignores the window size: under no drift E[PSI] ~ (B-1)(1/n + 1/m).
    pvalues = np.array([permutation_pvalue(reference[:, k], current[:, k], stat, n_perm, seed + k) for k in range(d)])
    # d features are d tests: correct so that a quiet window rarely raises any alarm.
    alarm = holm(pvalues, alpha)
    return {"psi": values, "pvalue": pvalues, "alarm": alarm, "any": bool(alarm.any())}
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 6: a monitored feedback loop with a champion/challenger gate
# ---------------------------------------------------------------------------------------------


class Registry:
    """Immutable model versions and a movable ``production`` alias.

    ``register(model)`` stores a deep copy of the weights and returns a new version number
    (1, 2, ...); nothing can change a stored version afterwards. ``promote(v)`` points the
    alias at v; ``rollback()`` moves it back to the version it pointed at before; ``load(v)``
    returns a fresh copy of version v's weights (a ``state_dict``).
    """

    def __init__(self):
        self._versions: dict[int, dict] = {}
        self.production: int | None = None
        self._previous: list[int] = []  # earlier targets of the alias, for rollback

    def register(self, model) -> int:
        ### BEGIN SOLUTION (store a deep copy of model.state_dict() under the next version number)
        # Cloning matters: a state_dict shares storage with the live model.
        version = len(self._versions) + 1
        self._versions[version] = {k: v.detach().clone() for k, v in model.state_dict().items()}
        return version
        ### END SOLUTION

    def load(self, version: int) -> dict:
        ### BEGIN SOLUTION (return a copy, so callers cannot edit the stored version)
        return {k: v.clone() for k, v in self._versions[version].items()}
        ### END SOLUTION

    def promote(self, version: int) -> None:
        ### BEGIN SOLUTION (remember the current target, then move the alias)
        if version not in self._versions:
            raise KeyError(f"no version {version}")
        if self.production is not None:
            self._previous.append(self.production)
        self.production = version
        ### END SOLUTION

    def rollback(self) -> int:
        ### BEGIN SOLUTION (move the alias back to its previous target; return it)
        if not self._previous:
            raise RuntimeError("nothing to roll back to")
        self.production = self._previous.pop()
        return self.production
        ### END SOLUTION


def promotion_margin(champion_acc: float, n_golden: int, k: float = 2.0) -> float:
    """How far below the champion a challenger may score on the golden set and still pass.

    $$\\delta = k\\,\\sqrt{\\frac{p(1-p)}{n}}$$

    ``p`` = champion's golden-set accuracy, ``n`` = golden-set size: k standard errors of p.
    """
    ### BEGIN SOLUTION (k standard errors of a binomial proportion)
    return k * math.sqrt(champion_acc * (1.0 - champion_acc) / n_golden)
    ### END SOLUTION


def feedback_loop(model, windows, golden, test, *, gate: bool = True, k: float = 2.0,
                  epochs: int = 5, lr: float = 0.05, seed: int = 0) -> dict:
    """Serve ``model``; for each feedback window fine-tune a COPY and promote it only if it holds up.

    ``windows``: list of ``(X, y)`` feedback windows (some may be poisoned); ``golden``,
    ``test``: fixed ``(X, y)`` sets. Register the starting model and promote it. For window w:
    ``challenger = copy.deepcopy(champion)``, ``fit(challenger, X_w, y_w, epochs=epochs, lr=lr,
    seed=seed + w)``, register it; with ``gate``, promote it iff its golden-set accuracy is
    >= champion's - ``promotion_margin(champion's, len(golden y), k)``; without ``gate``, always.
    The gate looks at the golden set only, never at the feedback window.

    Returns a dict of lists, one entry per window: ``"promoted"`` (bool), ``"version"`` (the
    production version after the decision), ``"champion_golden"``, ``"challenger_golden"``
    (golden-set accuracies), ``"served_test"`` (test accuracy of the production model after
    the decision).
    """
    ### BEGIN SOLUTION (register+promote the start; per window: copy, fit, register, gate on golden set, promote/keep)
    registry = Registry()
    champion = copy.deepcopy(model)
    registry.promote(registry.register(champion))
    history = {"promoted": [], "version": [], "champion_golden": [], "challenger_golden": [], "served_test": []}
    for w, (X_w, y_w) in enumerate(windows):
        # Train a copy: the served model is untouched until the gate says yes.
        challenger = copy.deepcopy(champion)
        fit(challenger, X_w, y_w, epochs=epochs, lr=lr, seed=seed + w)
        version = registry.register(challenger)
        # Judge both on the same fixed golden set: the feedback may be noisy or poisoned.
        champ_acc = accuracy(champion, *golden)
        chall_acc = accuracy(challenger, *golden)
        ok = (not gate) or chall_acc >= champ_acc - promotion_margin(champ_acc, len(golden[1]), k)
        if ok:
            registry.promote(version)
            champion = challenger
        history["promoted"].append(bool(ok))
        history["version"].append(registry.production)
        history["champion_golden"].append(champ_acc)
        history["challenger_golden"].append(chall_acc)
        history["served_test"].append(accuracy(champion, *test))
    return history
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# A scenario and the figures (provided)
# ---------------------------------------------------------------------------------------------

POISONED = (3, 6, 7)  # feedback windows whose labels an attacker shifted


def feedback_scenario(n_windows: int = 10, seed: int = 0):
    """A served 3-class model, feedback windows with covariate drift, some poisoned.

    Returns ``(model, windows, golden, test, reference)``: a base model trained on little data
    (so clean feedback can still help), ``windows`` as ``(X, y)`` pairs of 60 points (window w
    has feature 0 shifted by 0.3 w; the windows in :data:`POISONED` have labels
    ``(y + 1) % 3``), a fixed golden set (300 points) and a test set (600 points), and 300
    reference inputs from the training distribution for the drift monitor.
    """
    means = class_means(3, spread=2.5, seed=7)
    X0, y0 = make_blobs([0, 1, 2], 10, seed=seed * 1000 + 1, means=means)
    model = make_model(n_classes=3, seed=seed)
    fit(model, X0, y0, epochs=10, lr=0.05, seed=seed)
    golden = make_blobs([0, 1, 2], 100, seed=seed * 1000 + 2, means=means)
    test = make_blobs([0, 1, 2], 200, seed=seed * 1000 + 3, means=means)
    reference, _ = make_blobs([0, 1, 2], 100, seed=seed * 1000 + 4, means=means)
    windows = []
    for w in range(n_windows):
        shift = np.zeros(DIM)
        shift[0] = 0.3 * w
        X, y = make_blobs([0, 1, 2], 20, seed=seed * 1000 + 10 + w, means=means, shift=shift)
        if w in POISONED:
            y = (y + 1) % 3
        windows.append((X, y))
    return model, windows, golden, test, reference


def make_figures(outdir) -> list[Path]:
    """Draw the two figures of the lab into ``outdir``; return their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []

    # 1. Accuracy per task across training: fine-tuning forgets task A, replay keeps it.
    tasks = class_incremental_tasks()
    fig, axes = plt.subplots(1, 3, figsize=(9, 2.8), sharey=True)
    for ax, strategy in zip(axes, ("finetune", "ewc", "replay")):
        curve = train_sequence(tasks, strategy)["curve"]
        epochs = np.arange(1, len(curve) + 1)
        ax.plot(epochs, curve[:, 0], label="task A (classes 0, 1)")
        ax.plot(epochs, curve[:, 1], label="task B (classes 2, 3)")
        ax.axvline(len(curve) / 2 + 0.5, color="grey", ls=":")
        ax.set_title(strategy)
        ax.set_xlabel("epoch")
    axes[0].set_ylabel("test accuracy")
    axes[0].legend(fontsize=7, loc="center left")
    fig.tight_layout()
    paths.append(outdir / "continual-forgetting.png")
    fig.savefig(paths[-1], dpi=80)
    plt.close(fig)

    # 2. The feedback loop: drift statistic per window, alarms, promotions and rollbacks.
    model, windows, golden, test, reference = feedback_scenario()
    psis, alarms = [], []
    for w, (X, _) in enumerate(windows):
        report = monitor_window(reference, X, n_perm=99, seed=w)
        psis.append(report["psi"].max())
        alarms.append(report["any"])
    gated = feedback_loop(model, windows, golden, test)
    ungated = feedback_loop(model, windows, golden, test, gate=False)
    x = np.arange(len(windows))
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6, 4.2), sharex=True)
    ax1.plot(x, psis, "o-", color="tab:blue", label="max PSI over features")
    ax1.plot(x[np.array(alarms)], np.array(psis)[np.array(alarms)], "rs", ms=9, mfc="none",
             label="alarm (permutation + Holm)")
    ax1.set_ylabel("PSI")
    ax1.legend(fontsize=7)
    ax2.plot(x, gated["served_test"], "o-", label="gated (champion/challenger)")
    ax2.plot(x, ungated["served_test"], "x--", label="no gate")
    promoted = np.array(gated["promoted"])
    ax2.plot(x[promoted], np.array(gated["served_test"])[promoted], "g^", ms=8, label="promoted")
    ax2.plot(x[~promoted], np.array(gated["served_test"])[~promoted], "rv", ms=8, label="rejected: kept champion")
    for w in POISONED:
        ax2.axvspan(w - 0.4, w + 0.4, color="red", alpha=0.1)
    ax2.set_ylabel("served test accuracy")
    ax2.set_xlabel("feedback window (shaded: poisoned)")
    ax2.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    paths.append(outdir / "continual-feedback-loop.png")
    fig.savefig(paths[-1], dpi=80)
    plt.close(fig)
    return paths


if __name__ == "__main__":
    for path in make_figures("."):
        print(path)
