"""Deterministic data shuffling and a reproducible GAN: the reference solution, as a lesson.

The story (from the course's source flashcards): a GAN's samples start to degrade somewhere
in training and you want to replay that run exactly, step by step, to find out why. That
only works if every source of randomness is a function of a seed you chose:

1. seeds for Python's ``random``, NumPy and torch, plus deterministic torch kernels;
2. a data loader whose order is a function of ``(seed, epoch)`` and of nothing else (not of
   the number of workers, not of what else drew random numbers before);
3. a tiny GAN (8 Gaussians on a ring) whose whole run -- initial weights, data order,
   latent noise, optimizer state -- is replayable to the bit, also across a checkpoint;
4. metrics that tell a collapsed generator from a healthy one;
5. the limits: float addition is not associative, so the bits also depend on how many
   threads split a sum (and on the library version, the BLAS build and the CPU).

Sources:
- PyTorch, "Reproducibility" notes (docs.pytorch.org/docs/stable/notes/randomness.html):
  ``torch.manual_seed``, ``torch.use_deterministic_algorithms``, DataLoader ``generator=``
  and worker seeding.
- PyTorch source: ``torch/utils/data/dataloader.py`` (each iterator draws a base seed from
  ``generator`` or from the global RNG), ``torch/utils/data/_utils/worker.py`` (worker ``i``
  seeds ``random`` and torch with ``base_seed + i`` and NumPy's global RNG),
  ``torch/utils/data/distributed.py`` (``DistributedSampler`` shuffles with
  ``seed + epoch`` and needs ``set_epoch``).
- NumPy, "Parallel random number generation" (``SeedSequence`` mixes several integers into
  well-separated seeds).
- Goodfellow et al. 2014, "Generative Adversarial Nets"; Metz et al. 2017, "Unrolled GANs"
  (the 8-Gaussians-on-a-ring benchmark for mode collapse).
- Goldberg 1991, "What every computer scientist should know about floating-point arithmetic".

Run ``python determinism.py`` to draw the figures into the current folder.
"""

from __future__ import annotations

import copy
import math
import os
import random
from pathlib import Path

import numpy as np

# Stream tags: derive_seed(seed, TAG, ...) gives each consumer of randomness its own seed, so
# that drawing more from one stream never shifts another.
ORDER = 1  # the data order of an epoch
WORKERS = 2  # the DataLoader's own generator (base seed of its worker processes)
JITTER = 3  # the data set's per-epoch augmentation noise
INIT = 4  # initial weights of the GAN
NOISE = 5  # latent noise fed to the generator

# The tiny GAN of Task 3 (8 Gaussians on a ring). Tests use smaller values.
GAN_DEFAULTS = dict(
    n_data=2048,  # points in the training set
    batch_size=256,
    latent_dim=8,
    hidden=64,
    lr=1e-3,
    beta1=0.5,  # Adam betas (0.5, 0.999), the usual GAN choice
    modes=8,
    radius=2.0,
    std=0.05,
)


# ---------------------------------------------------------------------------------------------
# Task 1: seed everything
# ---------------------------------------------------------------------------------------------


def seed_everything(seed: int) -> None:
    """Seed every global random number generator and make torch pick deterministic kernels.

    * ``random.seed(seed)``: Python's Mersenne Twister (``random.shuffle``, ``random.random``);
    * ``np.random.seed(seed)``: NumPy's legacy global RNG (``np.random.rand`` ...);
    * ``torch.manual_seed(seed)``: torch's global CPU generator (and every CUDA device's);
    * ``torch.use_deterministic_algorithms(True)``: use deterministic kernels, and raise a
      RuntimeError for an op that has none, instead of silently varying;
    * cuDNN: ``benchmark = False`` (no timing-based kernel choice), ``deterministic = True``;
    * ``CUBLAS_WORKSPACE_CONFIG=":4096:8"``: older PyTorch required it for deterministic cuBLAS
      on CUDA >= 10.2; setting it is harmless elsewhere.

    ``PYTHONHASHSEED`` cannot be set from inside a running interpreter: it only affects new
    processes (set it in the shell or the job's environment).
    """
    import torch
    ### BEGIN SOLUTION (seed random, numpy and torch; switch torch to deterministic algorithms)

    # One seed per library: each keeps its own generator state.
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device, if there is one
    # Prefer deterministic kernels; raise where an op has none rather than vary silently.
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    # Only matters for cuBLAS on a GPU; harmless on a CPU.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    ### END SOLUTION


def derive_seed(*keys: int) -> int:
    """A 32-bit seed that is a hash of several integers: ``derive_seed(seed, ORDER, epoch)``.

    ``int(np.random.SeedSequence(list(keys)).generate_state(1)[0])``.

    ``SeedSequence`` mixes its entropy, so (seed=0, epoch=1) and (seed=1, epoch=0) give
    unrelated seeds, unlike ``seed + epoch`` (what ``DistributedSampler`` uses), for which
    they collide.
    """
    ### BEGIN SOLUTION (hash the keys with numpy's SeedSequence into one 32-bit integer)
    return int(np.random.SeedSequence(list(keys)).generate_state(1)[0])
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 2: a loader whose order is a function of (seed, epoch) only
# ---------------------------------------------------------------------------------------------


def mode_centres(modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """Centres of the mixture: centre k at angle 2*pi*k/modes on a circle, shape (modes, 2)."""
    angle = 2 * np.pi * np.arange(modes) / modes
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)


def ring_mixture(n: int, seed: int, modes: int = 8, radius: float = 2.0, std: float = 0.05) -> np.ndarray:
    """``n`` points from an equal mixture of isotropic Gaussians (std ``std``) on a ring.

    Drawn from ``np.random.default_rng(seed)``: mode indices first, then the offsets.
    Returns float32, shape (n, 2).
    """
    rng = np.random.default_rng(seed)
    k = rng.integers(0, modes, size=n)
    points = mode_centres(modes, radius)[k] + std * rng.standard_normal((n, 2))
    return points.astype(np.float32)


def epoch_order(seed: int, epoch: int, n: int) -> list[int]:
    """The order in which epoch ``epoch`` visits the ``n`` samples: a function of (seed, epoch).

    order = ``torch.randperm(n, generator=torch.Generator().manual_seed(derive_seed(seed, ORDER, epoch)))``

    A fresh generator per call: the order never depends on what was drawn before, the global
    RNG is not touched, and a resumed run needs only the epoch number to get it back.
    """
    import torch
    ### BEGIN SOLUTION (a randperm from a fresh generator seeded with derive_seed(seed, ORDER, epoch))

    # Fresh, private generator: stateless in (seed, epoch), global RNG untouched.
    g = torch.Generator().manual_seed(derive_seed(seed, ORDER, epoch))
    return torch.randperm(n, generator=g).tolist()
    ### END SOLUTION


class RingDataset:
    """A map-style data set: ring-mixture points plus per-epoch "augmentation" jitter.

    Item ``i`` of epoch ``e`` is ``(points[i] + noise_e[i], i)`` where

    * ``points = ring_mixture(n, seed)`` is fixed at construction;
    * ``noise_e = np.random.default_rng(derive_seed(seed, JITTER, e)).normal(0, jitter, (n, 2))``
      is a function of (seed, epoch) only, recomputed when the epoch changes.

    No random *state* lives in the object: whichever worker process fetches item ``i``, and in
    whatever order, it gets the same value. (A ``np.random.default_rng`` made in ``__init__``
    and drawn from in ``__getitem__`` would be copied, identical, into every worker.)
    The point is returned as a float32 array of shape (2,), the index as an int.
    """

    def __init__(self, n: int, seed: int, jitter: float = 0.05):
        ### BEGIN SOLUTION (store the fixed points and the seed; no random state)
        self.n = n
        self.seed = seed
        self.jitter = jitter
        self.points = ring_mixture(n, seed)
        self.epoch = 0
        self._noise = None  # (epoch, noise table), built lazily in each process
        ### END SOLUTION

    def set_epoch(self, epoch: int) -> None:
        """Select the epoch whose jitter ``__getitem__`` adds."""
        ### BEGIN SOLUTION (remember the epoch)
        self.epoch = epoch
        ### END SOLUTION

    def __len__(self) -> int:
        ### BEGIN SOLUTION (the number of points)
        return self.n
        ### END SOLUTION

    def __getitem__(self, i: int):
        ### BEGIN SOLUTION (point i plus the jitter of (seed, epoch) for row i)
        # The whole epoch's noise table, derived from (seed, epoch): the same in every worker.
        if self._noise is None or self._noise[0] != self.epoch:
            rng = np.random.default_rng(derive_seed(self.seed, JITTER, self.epoch))
            self._noise = (self.epoch, rng.normal(0.0, self.jitter, size=(self.n, 2)))
        x = self.points[i] + self._noise[1][i]
        return x.astype(np.float32), int(i)
        ### END SOLUTION


def make_loader(dataset, *, seed: int, epoch: int, batch_size: int, num_workers: int = 0):
    """A ``torch.utils.data.DataLoader`` for one epoch, a function of (seed, epoch) only.

    * ``sampler=epoch_order(seed, epoch, len(dataset))``: a list of indices is a valid sampler;
    * ``generator=torch.Generator().manual_seed(derive_seed(seed, WORKERS, epoch))``: every
      iterator draws a base seed for its worker processes from this generator. Without it the
      draw comes from the *global* torch RNG (even with ``num_workers=0`` and no shuffling),
      so merely iterating a loader would shift every later dropout mask and init;
    * workers are seeded by torch from that base seed: worker w seeds ``random`` and torch with
      ``base_seed + w`` and NumPy's global RNG with a value derived from both;
    * ``dataset.set_epoch(epoch)`` first, if the data set has it (its jitter depends on it).
    """
    import torch
    from torch.utils.data import DataLoader
    ### BEGIN SOLUTION (set the data set's epoch; DataLoader with a fixed sampler list and a seeded generator)

    if hasattr(dataset, "set_epoch"):
        dataset.set_epoch(epoch)  # before the workers fork, so they inherit it
    order = epoch_order(seed, epoch, len(dataset))
    # The loader's own generator: base seed of the workers, and no draw from the global RNG.
    g = torch.Generator().manual_seed(derive_seed(seed, WORKERS, epoch))
    return DataLoader(dataset, batch_size=batch_size, sampler=order, num_workers=num_workers, generator=g)
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 3: a reproducible GAN
# ---------------------------------------------------------------------------------------------


def build_models(seed: int, latent_dim: int = 8, hidden: int = 64):
    """Generator G: latent -> hidden -> hidden -> 2 (ReLU); discriminator D: 2 -> hidden ->
    hidden -> 1 (LeakyReLU 0.2), returning a logit. Both are ``nn.Sequential`` of ``nn.Linear``.

    Initial weights come from ``torch.manual_seed(derive_seed(seed, INIT))`` inside
    ``torch.random.fork_rng(devices=[])``: the default ``nn.Linear`` init draws from the global
    RNG, and ``fork_rng`` restores that RNG afterwards, so building models changes nothing else.
    G is built first, then D.
    """
    import torch
    from torch import nn
    ### BEGIN SOLUTION (build G then D under fork_rng with the INIT seed)

    with torch.random.fork_rng(devices=[]):  # global RNG is restored on exit
        torch.manual_seed(derive_seed(seed, INIT))
        G = nn.Sequential(
            nn.Linear(latent_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 2),
        )
        D = nn.Sequential(
            nn.Linear(2, hidden), nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
            nn.Linear(hidden, 1),
        )
    return G, D
    ### END SOLUTION


def new_run(seed: int, **config) -> dict:
    """Everything a training run consists of, as a dict ("the run"):

    ``seed``, ``config`` (GAN_DEFAULTS updated with ``config``), ``data`` (a float32 tensor of
    ``ring_mixture(n_data, seed, modes, radius, std)``), ``G``, ``D`` (``build_models``),
    ``opt_g``, ``opt_d`` (Adam, ``lr``, betas ``(beta1, 0.999)``), ``noise`` (a
    ``torch.Generator`` seeded with ``derive_seed(seed, NOISE)``: the latent-noise stream and
    nothing else), ``step`` = 0, ``loss_d`` and ``loss_g`` = [] (one float per step).
    """
    import torch
    ### BEGIN SOLUTION (data, models, two Adam optimizers, a private noise generator, step 0)

    cfg = dict(GAN_DEFAULTS)
    cfg.update(config)
    G, D = build_models(seed, cfg["latent_dim"], cfg["hidden"])
    data = torch.from_numpy(ring_mixture(cfg["n_data"], seed, cfg["modes"], cfg["radius"], cfg["std"]))
    betas = (cfg["beta1"], 0.999)
    return {
        "seed": seed,
        "config": cfg,
        "data": data,
        "G": G,
        "D": D,
        "opt_g": torch.optim.Adam(G.parameters(), lr=cfg["lr"], betas=betas),
        "opt_d": torch.optim.Adam(D.parameters(), lr=cfg["lr"], betas=betas),
        # Latent noise has its own stream: more data draws never shift it (and vice versa).
        "noise": torch.Generator().manual_seed(derive_seed(seed, NOISE)),
        "step": 0,
        "loss_d": [],
        "loss_g": [],
    }
    ### END SOLUTION


def next_batch(run: dict):
    """The real batch of step ``run["step"]``, from the epoch order of Task 2.

    With b = n_data // batch_size batches per epoch (the last partial batch is dropped):
    epoch, j = divmod(step, b); rows ``order[j*B:(j+1)*B]`` of ``run["data"]`` with
    ``order = epoch_order(seed, epoch, n_data)``. A function of (seed, step) only.
    """
    ### BEGIN SOLUTION (index the data with the slice of epoch_order for this step)
    cfg = run["config"]
    n, B = cfg["n_data"], cfg["batch_size"]
    epoch, j = divmod(run["step"], n // B)
    order = epoch_order(run["seed"], epoch, n)
    return run["data"][order[j * B:(j + 1) * B]]
    ### END SOLUTION


def sample_latent(run: dict):
    """One batch of latent noise: ``torch.randn(batch_size, latent_dim, generator=run["noise"])``."""
    import torch
    ### BEGIN SOLUTION (draw from the run's own noise generator, never reseed it)

    cfg = run["config"]
    return torch.randn(cfg["batch_size"], cfg["latent_dim"], generator=run["noise"])
    ### END SOLUTION


def gan_step(run: dict) -> None:
    """One training step (non-saturating GAN loss, BCE with logits):

    x = next_batch(run); z = sample_latent(run); fake = G(z)

    1. D step: L_D = BCE(D(x), 1) + BCE(D(fake.detach()), 0); zero_grad, backward, opt_d.step()
    2. G step: L_G = BCE(D(fake), 1) (D already updated); zero_grad, backward, opt_g.step()

    BCE is ``F.binary_cross_entropy_with_logits`` with the mean over the batch. Appends
    ``L_D.item()`` to ``run["loss_d"]``, ``L_G.item()`` to ``run["loss_g"]``, then
    ``run["step"] += 1``.
    """
    import torch
    import torch.nn.functional as F
    ### BEGIN SOLUTION (D step on real and detached fake, then G step, log losses, step += 1)

    G, D = run["G"], run["D"]
    x = next_batch(run)
    z = sample_latent(run)
    fake = G(z)
    ones = torch.ones(x.shape[0], 1)
    zeros = torch.zeros(z.shape[0], 1)
    # Discriminator: real -> 1, fake -> 0; detach so this step does not update G.
    loss_d = F.binary_cross_entropy_with_logits(D(x), ones) + F.binary_cross_entropy_with_logits(
        D(fake.detach()), zeros
    )
    run["opt_d"].zero_grad()
    loss_d.backward()
    run["opt_d"].step()
    # Generator: make the (updated) discriminator say "real" (non-saturating loss).
    loss_g = F.binary_cross_entropy_with_logits(D(fake), torch.ones(z.shape[0], 1))
    run["opt_g"].zero_grad()
    loss_g.backward()
    run["opt_g"].step()
    run["loss_d"].append(loss_d.item())
    run["loss_g"].append(loss_g.item())
    run["step"] += 1
    ### END SOLUTION


def save_checkpoint(run: dict) -> dict:
    """Everything needed to continue the run bit for bit, as a dict that ``torch.save`` can write:

    ``seed``, ``config``, ``step``, ``loss_d``, ``loss_g``, the state dicts of ``G``, ``D``,
    ``opt_g``, ``opt_d`` (Adam's moments and step counts!), the noise generator's state
    (``run["noise"].get_state()``) and the global RNG states: ``torch.get_rng_state()``,
    ``np.random.get_state()``, ``random.getstate()``. Deep copies: training on afterwards must
    not change the checkpoint. (The data order needs no state: it is a function of the step.)

    Reading it back needs ``torch.load(path, weights_only=False)`` (a trusted file only): the
    default ``weights_only=True`` (since PyTorch 2.6) refuses NumPy's RNG state.
    """
    import torch
    ### BEGIN SOLUTION (deep-copy model, optimizer and every RNG state, plus the step and the losses)

    ckpt = {
        "seed": run["seed"],
        "config": run["config"],
        "step": run["step"],
        "loss_d": run["loss_d"],
        "loss_g": run["loss_g"],
        "G": run["G"].state_dict(),
        "D": run["D"].state_dict(),
        "opt_g": run["opt_g"].state_dict(),
        "opt_d": run["opt_d"].state_dict(),
        "noise": run["noise"].get_state(),
        "torch_rng": torch.get_rng_state(),
        "numpy_rng": np.random.get_state(),
        "python_rng": random.getstate(),
    }
    # state_dict() returns live references to the tensors: copy them.
    return copy.deepcopy(ckpt)
    ### END SOLUTION


def load_checkpoint(ckpt: dict) -> dict:
    """A run that continues exactly where ``save_checkpoint`` left off.

    Rebuild with ``new_run(ckpt["seed"], **ckpt["config"])``, then load the four state dicts,
    the noise generator state, the three global RNG states, the step and the loss lists.
    """
    import torch
    ### BEGIN SOLUTION (new_run, then restore every state from the checkpoint)

    run = new_run(ckpt["seed"], **ckpt["config"])
    run["G"].load_state_dict(ckpt["G"])
    run["D"].load_state_dict(ckpt["D"])
    run["opt_g"].load_state_dict(ckpt["opt_g"])
    run["opt_d"].load_state_dict(ckpt["opt_d"])
    run["noise"].set_state(ckpt["noise"])
    # Global RNGs too: anything in the loop that draws from them (dropout, say) continues.
    torch.set_rng_state(ckpt["torch_rng"])
    np.random.set_state(ckpt["numpy_rng"])
    random.setstate(ckpt["python_rng"])
    run["step"] = ckpt["step"]
    run["loss_d"] = list(ckpt["loss_d"])
    run["loss_g"] = list(ckpt["loss_g"])
    return run
    ### END SOLUTION


def train_gan(seed: int, steps: int, **config) -> dict:
    """A new run trained for ``steps`` steps."""
    run = new_run(seed, **config)
    for _ in range(steps):
        gan_step(run)
    return run


def generate(run: dict, n: int, seed: int = 12345) -> np.ndarray:
    """``n`` generator samples from fixed latent noise (its own generator), float64 (n, 2)."""
    import torch

    z = torch.randn(n, run["config"]["latent_dim"], generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        return run["G"](z).double().numpy()


# ---------------------------------------------------------------------------------------------
# Task 4: quality and mode-collapse metrics
# ---------------------------------------------------------------------------------------------


def mode_histogram(samples, modes: int = 8, radius: float = 2.0, std: float = 0.05) -> np.ndarray:
    """Counts of *high-quality* samples per mode, int64 array of shape (modes,).

    A sample is high-quality if its Euclidean distance to the nearest centre is <= 3 * std;
    it is counted for that nearest centre. (For a 2-D Gaussian with per-axis std sigma the
    distance is Rayleigh: P(r <= 3 sigma) = 1 - exp(-9/2) = 0.9889.)
    """
    ### BEGIN SOLUTION (distance to every centre; nearest one; count those within 3 std)
    x = np.asarray(samples, dtype=np.float64).reshape(-1, 2)
    centres = mode_centres(modes, radius)
    dist = np.linalg.norm(x[:, None, :] - centres[None, :, :], axis=-1)  # (n, modes)
    nearest = dist.argmin(axis=1)
    good = dist.min(axis=1) <= 3 * std
    return np.bincount(nearest[good], minlength=modes).astype(np.int64)
    ### END SOLUTION


def collapse_metrics(
    samples, modes: int = 8, radius: float = 2.0, std: float = 0.05, min_share: float = 0.01
) -> dict:
    """Quality and diversity of generated samples, from the mode histogram h (high-quality only).

    * ``hq_fraction`` = sum(h) / n: samples within 3 std of a centre (quality);
    * with p = h / sum(h): ``modes_covered`` = #{k : p_k >= min_share} (diversity);
    * ``kl_uniform`` = KL(p || uniform) = sum_k p_k ln(modes * p_k), terms with p_k = 0 are 0:
      0 when every mode gets the same share, ln(modes) when one mode gets everything.

    With no high-quality sample at all: modes_covered = 0 and kl_uniform = ln(modes) (the
    worst value). Returns floats for the fractions and KL, an int for modes_covered.
    """
    ### BEGIN SOLUTION (histogram, shares, covered modes, KL to uniform)
    x = np.asarray(samples, dtype=np.float64).reshape(-1, 2)
    h = mode_histogram(x, modes, radius, std)
    total = int(h.sum())
    if total == 0:
        return {"hq_fraction": 0.0, "modes_covered": 0, "kl_uniform": float(math.log(modes))}
    p = h / total
    nz = p > 0  # 0 * ln 0 = 0
    kl = float(np.sum(p[nz] * np.log(modes * p[nz])))
    return {
        "hq_fraction": total / len(x),
        "modes_covered": int(np.sum(p >= min_share)),
        "kl_uniform": kl,
    }
    ### END SOLUTION


def is_collapsed(metrics: dict, modes: int = 8, max_kl: float = 0.25) -> bool:
    """Mode collapse / mode dropping: a mode is missing, or the shares are far from uniform.

    True if ``modes_covered < modes`` or ``kl_uniform > max_kl``. Quality (``hq_fraction``)
    plays no part: a generator that puts every sample on one centre has excellent quality.
    """
    ### BEGIN SOLUTION (judge diversity: covered modes and KL, never quality)
    return bool(metrics["modes_covered"] < modes or metrics["kl_uniform"] > max_kl)
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 5: the limits of determinism
# ---------------------------------------------------------------------------------------------


def chunked_sum(x, n_chunks: int) -> float:
    """What ``n_chunks`` threads computing a float32 sum do: split, sum each part, add the parts.

    Parts: ``np.array_split(x.astype(float32), n_chunks)``; each part is summed left to right
    in float32 (``np.cumsum(part, dtype=np.float32)[-1]``; ``np.sum`` would use pairwise
    summation), an empty part counts 0; then the partial sums are added left to right in
    float32. Returned as a Python float.

    Float addition is not associative: [1e8, 1, -1e8, 1] sums to 1.0 with one chunk and to
    0.0 with two (1e8 + 1 rounds to 1e8 in float32, whose spacing there is 8).
    """
    ### BEGIN SOLUTION (array_split, left-to-right float32 sum of each part, then of the partial sums)
    x = np.asarray(x, dtype=np.float32).ravel()
    total = np.float32(0.0)
    for part in np.array_split(x, n_chunks):
        partial = np.cumsum(part, dtype=np.float32)[-1] if part.size else np.float32(0.0)
        total = np.float32(total + partial)  # stays float32, in order
    return float(total)
    ### END SOLUTION


def thread_sums(x, threads: list[int]) -> list[float]:
    """``x.sum()`` of a float32 tensor under ``torch.set_num_threads(t)`` for each t in turn.

    torch splits a large reduction among its intra-op threads, so the bits of the result can
    change with t, while repeating the same t gives the same bits. The thread count in force
    before the call is restored afterwards (also on error).
    """
    import torch
    ### BEGIN SOLUTION (set the thread count, sum, and restore the previous count in a finally)

    x = torch.as_tensor(x, dtype=torch.float32)
    before = torch.get_num_threads()
    out = []
    try:
        for t in threads:
            torch.set_num_threads(t)
            out.append(x.sum().item())
    finally:
        torch.set_num_threads(before)
    return out
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def training_snapshots(seed: int = 0, snapshot_steps=(0, 300, 1000, 2000), n: int = 1000, **config) -> dict:
    """Train one run and record generator samples at the given steps (arrays, for figures)."""
    run = new_run(seed, **config)
    out = {"real": run["data"].numpy()[:n].astype(np.float64), "steps": list(snapshot_steps), "samples": []}
    for target in snapshot_steps:
        while run["step"] < target:
            gan_step(run)
        out["samples"].append(generate(run, n))
    out["histogram"] = mode_histogram(out["samples"][-1], run["config"]["modes"], run["config"]["radius"],
                                      run["config"]["std"])
    out["loss_d"] = np.array(run["loss_d"])
    out["loss_g"] = np.array(run["loss_g"])
    return out


def make_figures(outdir, seed: int = 0, snapshot_steps=(0, 300, 1000, 2000)) -> list[Path]:
    """Samples against the real mixture at a few steps, and the final mode histogram."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    torch.set_num_threads(1)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    snap = training_snapshots(seed, snapshot_steps)
    paths = []

    fig, axes = plt.subplots(1, len(snap["steps"]), figsize=(2.4 * len(snap["steps"]), 2.9))
    for ax, step, s in zip(axes, snap["steps"], snap["samples"]):
        ax.scatter(snap["real"][:, 0], snap["real"][:, 1], s=2, c="tab:gray", alpha=0.4, label="real")
        ax.scatter(s[:, 0], s[:, 1], s=2, c="tab:red", alpha=0.5, label="generated")
        ax.set_xlim(-3, 3)
        ax.set_ylim(-3, 3)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        m = collapse_metrics(s)
        ax.set_title(f"step {step}\nmodes {m['modes_covered']}, KL {m['kl_uniform']:.2f}", fontsize=8)
    axes[0].legend(fontsize=6, loc="lower left", markerscale=3)
    fig.tight_layout()
    path = outdir / "determinism-gan-samples.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    paths.append(path)

    fig, ax = plt.subplots(figsize=(3.2, 2.4))
    h = snap["histogram"]
    ax.bar(np.arange(len(h)), h, color="tab:blue")
    ax.set_xticks(np.arange(len(h)))
    ax.axhline(h.sum() / len(h), color="k", ls="--", lw=1, label="uniform")
    ax.set_xlabel("mode")
    ax.set_ylabel("high-quality samples")
    ax.set_title(f"mode histogram at step {snap['steps'][-1]}", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = outdir / "determinism-mode-histogram.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    paths.append(path)

    # A collapsed generator next to a healthy one: the histogram tells them apart, quality does not.
    rng = np.random.default_rng(0)
    c = mode_centres()
    healthy = c[rng.integers(0, 8, 800)] + 0.05 * rng.standard_normal((800, 2))
    collapsed = c[3] + 0.05 * rng.standard_normal((800, 2))
    fig, axes = plt.subplots(1, 2, figsize=(4.8, 2.4))
    for ax, s, name in zip(axes, (healthy, collapsed), ("healthy", "collapsed")):
        m = collapse_metrics(s)
        ax.bar(np.arange(8), mode_histogram(s), color="tab:blue")
        ax.set_title(f"{name}: quality {m['hq_fraction']:.2f}\nmodes {m['modes_covered']}, KL {m['kl_uniform']:.2f}",
                     fontsize=8)
        ax.set_xlabel("mode", fontsize=8)
        ax.set_xticks(np.arange(8))
    fig.tight_layout()
    path = outdir / "determinism-collapse.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    paths.append(path)
    return paths


if __name__ == "__main__":
    for p in make_figures("."):
        print(p)
