"""Graded tests for the determinism lab: probes return plain data, checks judge it.

Reproducibility is judged bit for bit (rtol=0, atol=0): two runs either are the same run or
they are not. Comparisons with the reference specification use a small tolerance.
"""

import math

import numpy as np

from course.testing import REFERENCE, assert_close, graded, oracle

# A small GAN for tests: 320 points, batches of 64 (5 batches per epoch), latent 3, hidden 16.
CFG = dict(n_data=320, batch_size=64, latent_dim=3, hidden=16)


def _params(run):
    """All parameters of G then D, flattened into one float32 tensor."""
    import torch

    return torch.cat([p.detach().flatten() for m in (run["G"], run["D"]) for p in m.parameters()])


def _exactly(got, expected, name):
    assert_close(got, expected, rtol=0, atol=0, name=name)


def _differ(a, b, name):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape == b.shape and np.array_equal(a, b):
        raise AssertionError(f"{name}: expected two different results, got identical ones")


# ---------------------------------------------------------------------------------------------
# Task 1: seed everything
# ---------------------------------------------------------------------------------------------


def _seed_11_draws():
    """What seed 11 gives each generator (an oracle: drawn once, in the grader)."""
    import random

    import torch

    return [
        random.Random(11).random(),
        float(np.random.RandomState(11).rand()),
        torch.rand((), generator=torch.Generator().manual_seed(11)).item(),
    ]


_SEED_11_DRAWS = oracle(_seed_11_draws)


def _draws_match(got):
    expected = _SEED_11_DRAWS()
    _exactly(got["first"], expected, "draws [random, numpy, torch] after seed_everything(11)")
    _exactly(got["second"], expected, "draws after calling seed_everything(11) a second time")


@graded(task=1, points=2, check=_draws_match)
def test_seed_everything_draws(lab):
    """After seed_everything(11), random, np.random and torch draw what seed 11 gives each of them."""
    import random

    import torch

    def draws():
        return [random.random(), float(np.random.rand()), torch.rand(()).item()]

    lab.seed_everything(11)
    first = draws()
    np.random.seed(0), random.seed(0), torch.manual_seed(0)  # scramble, then seed again
    lab.seed_everything(11)
    second = draws()
    torch.use_deterministic_algorithms(False)
    return {"first": first, "second": second}


@graded(task=1, points=1, expect={"deterministic": True, "cudnn_benchmark": False, "cudnn_deterministic": True,
                                  "CUBLAS_WORKSPACE_CONFIG": ":4096:8"})
def test_seed_everything_deterministic_algorithms(lab):
    """seed_everything switches torch to deterministic algorithms, turns cuDNN benchmarking off and its
    deterministic flag on, and sets CUBLAS_WORKSPACE_CONFIG=":4096:8" when it is not set."""
    import os

    import torch

    torch.use_deterministic_algorithms(False)
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.deterministic = False
    saved = os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)
    lab.seed_everything(0)
    out = {
        "deterministic": torch.are_deterministic_algorithms_enabled(),
        "cudnn_benchmark": bool(torch.backends.cudnn.benchmark),
        "cudnn_deterministic": bool(torch.backends.cudnn.deterministic),
        "CUBLAS_WORKSPACE_CONFIG": os.environ.get("CUBLAS_WORKSPACE_CONFIG"),
    }
    if saved is not None:
        os.environ["CUBLAS_WORKSPACE_CONFIG"] = saved
    torch.use_deterministic_algorithms(False)
    return out


@graded(task=1, points=1, expect=3964924996)
def test_derive_seed_hand(lab):
    """derive_seed(0, 1) = SeedSequence([0, 1]).generate_state(1)[0] = 3964924996."""
    return lab.derive_seed(0, 1)


def _mixes(got):
    a, b, again = got
    for v in got:
        if not isinstance(v, int) or not 0 <= v < 2**32:
            raise AssertionError(f"derive_seed: expected an int in [0, 2**32), got {v!r}")
    if a != again:
        raise AssertionError(f"derive_seed(0, 1) gave {a} and then {again}: it must be a pure function")
    if a == b:
        raise AssertionError("derive_seed(0, 1) == derive_seed(1, 0): the keys must be mixed, not added")


@graded(task=1, points=1, check=_mixes)
def test_derive_seed_mixes_keys(lab):
    """The same keys give the same seed; (0, 1) and (1, 0) give different seeds (no seed + epoch)."""
    return [lab.derive_seed(0, 1), lab.derive_seed(1, 0), lab.derive_seed(0, 1)]


# ---------------------------------------------------------------------------------------------
# Task 2: a loader whose order is a function of (seed, epoch) only
# ---------------------------------------------------------------------------------------------


def _same_state(states):
    """Whether the global torch RNG state recorded before and after some code is the same."""
    before, after = (np.asarray(s) for s in states)
    return before.shape == after.shape and bool(np.array_equal(before, after))


def _order_stateless(got):
    n = 50
    for key in ("a", "b"):
        if sorted(got[key]) != list(range(n)):
            raise AssertionError(f"epoch_order(7, 0, {n}) is not a permutation of 0..{n - 1}")
    _exactly(got["b"], got["a"], "epoch_order(7, 0, 50) called twice")
    if not _same_state(got["global_rng_states"]):
        raise AssertionError("epoch_order changed the global torch RNG: use a private torch.Generator")


@graded(task=2, points=1, check=_order_stateless)
def test_epoch_order_same_pair_same_order(lab):
    """epoch_order(seed, epoch, n) is a permutation, the same on every call, and leaves the global RNG alone."""
    import torch

    a = lab.epoch_order(7, 0, 50)
    torch.rand(3)  # other code draws in between: the order must not care
    b = lab.epoch_order(7, 0, 50)
    return {"a": list(a), "b": list(b), "global_rng_states": _rng_states_around(lab.epoch_order, 7, 0, 50)}


def _rng_states_around(fn, *args):
    """The global torch RNG state before and after fn(*args): raw data, compared by the check."""
    import torch

    torch.manual_seed(123)
    before = torch.get_rng_state().clone()
    fn(*args)
    return [before, torch.get_rng_state().clone()]


def _new_order_each_epoch(got):
    orders = got["orders"]
    for e in range(1, len(orders)):
        if orders[e] == orders[0]:
            raise AssertionError(
                f"epoch {e} repeats the order of epoch 0: the order must depend on the epoch "
                "(DistributedSampler without set_epoch makes this mistake)"
            )
    if got["other_seed"] == orders[0]:
        raise AssertionError("seeds 7 and 8 gave the same order for epoch 0")
    if got["swapped"][0] == got["swapped"][1]:
        raise AssertionError("epoch_order(0, 1, n) == epoch_order(1, 0, n): seed and epoch must be mixed, not added")


@graded(task=2, points=2, check=_new_order_each_epoch)
def test_epoch_order_new_each_epoch(lab):
    """Each epoch has its own order; another seed gives other orders; (seed 0, epoch 1) differs from (1, 0)."""
    return {
        "orders": [list(lab.epoch_order(7, e, 50)) for e in range(4)],
        "other_seed": list(lab.epoch_order(8, 0, 50)),
        "swapped": [list(lab.epoch_order(0, 1, 50)), list(lab.epoch_order(1, 0, 50))],
    }


def _loader_clean(got):
    if not _same_state(got["global_rng_states"]):
        raise AssertionError(
            "iterating the loader changed the global torch RNG: a DataLoader without generator= draws "
            "its base seed from the global RNG (even with num_workers=0)"
        )
    _exactly(got["indices"], got["expected"], "indices yielded by the loader (epochs 0 and 1) vs epoch_order")


@graded(task=2, points=2, check=_loader_clean)
def test_loader_follows_order_and_leaves_global_rng(lab):
    """The loader yields epoch_order's indices and iterating it leaves the global torch RNG unchanged."""
    import torch

    ds = lab.RingDataset(40, 1)
    torch.manual_seed(0)
    before = torch.get_rng_state().clone()
    indices = []
    for epoch in (0, 1):
        for _, idx in lab.make_loader(ds, seed=5, epoch=epoch, batch_size=8):
            indices.extend(int(i) for i in idx)
    after = torch.get_rng_state().clone()
    expected = list(lab.epoch_order(5, 0, 40)) + list(lab.epoch_order(5, 1, 40))
    return {"global_rng_states": [before, after], "indices": indices, "expected": expected}


def _epoch_data(lab, seed, epoch, workers, ds_seed=2, n=40):
    import torch

    ds = lab.RingDataset(n, ds_seed)
    xs, idx = [], []
    for x, i in lab.make_loader(ds, seed=seed, epoch=epoch, batch_size=8, num_workers=workers):
        xs.append(torch.as_tensor(x, dtype=torch.float32))
        idx.append(torch.as_tensor(i))
    return torch.cat(xs).numpy(), torch.cat(idx).numpy(), ds


def _same_with_workers(got):
    _exactly(got["idx2"], got["idx0"], "indices with 2 workers vs with 0 workers")
    _exactly(got["x2"], got["x0"], "points with 2 workers vs with 0 workers (same seed and epoch)")
    _exactly(got["again"], got["x0"], "points from a second, fresh data set and loader (same seed and epoch)")
    _differ(got["x0"], got["next_epoch"], "points of epoch 3 vs epoch 4 (the jitter must change with the epoch)")


@graded(task=2, points=2, check=_same_with_workers)
def test_loader_same_data_any_workers(lab):
    """The data of an epoch is a function of (seed, epoch): 0 or 2 workers, fresh objects, same bits."""
    x0, i0, _ = _epoch_data(lab, 3, 3, 0)
    x2, i2, _ = _epoch_data(lab, 3, 3, 2)
    again, _, _ = _epoch_data(lab, 3, 3, 0)
    nxt, _, _ = _epoch_data(lab, 3, 4, 0)
    return {"x0": x0, "idx0": i0, "x2": x2, "idx2": i2, "again": again, "next_epoch": nxt}


def _distinct_rows(got):
    x, idx, base = (np.asarray(got[key]) for key in ("x", "idx", "base"))
    jit = x.astype(np.float64) - base[idx].astype(np.float64)  # offset of each sample from its fixed point
    rows = {tuple(r) for r in jit.tolist()}
    if len(rows) != len(jit):
        raise AssertionError(
            f"{len(jit) - len(rows)} of {len(jit)} samples got the same jitter as another sample: "
            "did every worker process start from a copy of the same generator?"
        )


@graded(task=2, points=1, check=_distinct_rows)
def test_loader_workers_distinct_jitter(lab):
    """With 2 workers, no two samples of an epoch share their jitter (offset from the fixed point)."""
    x, idx, ds = _epoch_data(lab, 4, 0, 2)
    return {"x": x, "idx": idx, "base": lab.ring_mixture(40, 2)}


class _WorkerDraws:
    """A data set whose items are draws from the *worker's* global RNGs (random, numpy, torch)."""

    def __len__(self):
        return 12

    def __getitem__(self, i):
        import random

        import torch

        return np.array([random.random(), np.random.random(), torch.rand(()).item()]), i


def _workers_seeded(got):
    _exactly(got["b"], got["a"], "worker draws from two loaders with the same (seed, epoch)")
    _differ(got["a"], got["c"], "worker draws of epoch 0 vs epoch 1")
    rows = {tuple(r) for r in np.asarray(got["a"]).tolist()}
    if len(rows) != len(got["a"]):
        raise AssertionError("two samples got identical worker draws: the workers are not seeded differently")


@graded(task=2, points=2, check=_workers_seeded)
def test_loader_workers_seeded(lab):
    """Worker processes are seeded from (seed, epoch): same pair, same draws; new epoch, new draws."""
    import torch

    def draws(epoch):
        loader = lab.make_loader(_WorkerDraws(), seed=3, epoch=epoch, batch_size=3, num_workers=2)
        return torch.cat([torch.as_tensor(x) for x, _ in loader]).numpy()

    torch.manual_seed(0)
    a = draws(0)
    b = draws(0)
    c = draws(1)
    return {"a": a, "b": b, "c": c}


def _loader_details(got):
    seed_seq = int(np.random.SeedSequence([7, got["WORKERS"], 3]).generate_state(1)[0])
    assert got["base generator seed"] == seed_seq, (
        f"the loader's generator must be seeded with derive_seed(seed, WORKERS, epoch) = {seed_seq}, "
        f"got a generator seeded with {got['base generator seed']}")
    assert got["batch sizes"] == [4, 4, 2], (
        f"batch_size=4 over 10 items: expected batches of [4, 4, 2], got {got['batch sizes']}")
    assert got["epoch 1 item, after epoch 0"] == got["epoch 1 item, fresh"], (
        "after set_epoch(1), item 3 must be epoch 1's item, the same as in a fresh data set set to epoch 1 "
        "(the cached jitter must follow the epoch)")
    assert got["epoch 0 item"] != got["epoch 1 item, fresh"], "epochs 0 and 1 gave item 3 the same jitter"


@graded(task=2, points=1, check=_loader_details)
def test_loader_generator_batches_and_epoch_cache(lab):
    """make_loader seeds its generator with derive_seed(seed, WORKERS, epoch) and uses batch_size;
    a data set that changes epoch returns the new epoch's jitter (not a cached one)."""
    ds = lab.RingDataset(10, seed=5)
    loader = lab.make_loader(ds, seed=7, epoch=3, batch_size=4)
    ds.set_epoch(0)
    before = ds[3][0].tolist()
    ds.set_epoch(1)
    after = ds[3][0].tolist()
    fresh = lab.RingDataset(10, seed=5)
    fresh.set_epoch(1)
    return {"WORKERS": lab.WORKERS, "base generator seed": int(loader.generator.initial_seed()),
            "batch sizes": [len(b[1])
                            for b in lab.make_loader(lab.RingDataset(10, seed=5), seed=7, epoch=3, batch_size=4)],
            "epoch 0 item": before, "epoch 1 item, after epoch 0": after, "epoch 1 item, fresh": fresh[3][0].tolist()}


# ---------------------------------------------------------------------------------------------
# Task 3: a reproducible GAN
# ---------------------------------------------------------------------------------------------


def _models_built(got):
    assert_close(got["G"], [[5, 3], [5], [5, 5], [5], [2, 5], [2]], name="parameter shapes of G")
    assert_close(got["D"], [[5, 2], [5], [5, 5], [5], [1, 5], [1]], name="parameter shapes of D")
    if not _same_state(got["global_rng_states"]):
        raise AssertionError("build_models changed the global torch RNG: initialise from a private torch.Generator")
    first, second = got["params"], got["params_again"]
    if len(first) != len(second):
        raise AssertionError(f"two calls of build_models(6, ...) gave {len(first)} and {len(second)} parameters")
    for i, (p, q) in enumerate(zip(first, second)):
        _exactly(q, p, f"parameter {i} of G then D, from two calls of build_models(6, ...) (same seed, same weights)")


@graded(task=3, points=1, check=_models_built)
def test_build_models(lab):
    """G: 3 -> 5 -> 5 -> 2, D: 2 -> 5 -> 5 -> 1; same seed, same weights; the global RNG is untouched."""
    import torch

    torch.manual_seed(0)
    before = torch.get_rng_state().clone()
    G, D = lab.build_models(6, latent_dim=3, hidden=5)
    after = torch.get_rng_state().clone()
    G2, D2 = lab.build_models(6, latent_dim=3, hidden=5)
    return {
        "G": [list(p.shape) for p in G.parameters()],
        "D": [list(p.shape) for p in D.parameters()],
        "global_rng_states": [before, after],
        "params": [p.detach().clone() for m in (G, D) for p in m.parameters()],
        "params_again": [p.detach().clone() for m in (G2, D2) for p in m.parameters()],
    }


def _batches_follow_order(got):
    data = np.asarray(got["data"])
    expected = []
    for step in range(12):
        epoch, j = divmod(step, 5)
        order = np.asarray(got["orders"][epoch])
        expected.append(data[order[j * 64:(j + 1) * 64]])
    _exactly(got["got"], np.stack(expected), "next_batch for steps 0..11 (epochs 0, 1, 2) vs data[epoch_order slices]")


@graded(task=3, points=1, check=_batches_follow_order)
def test_next_batch_follows_epoch_order(lab):
    """Step s uses rows order[j*B:(j+1)*B] of epoch_order(seed, epoch) with (epoch, j) = divmod(s, 5)."""
    run = lab.new_run(2, **CFG)
    data = run["data"].numpy()
    got = []
    for step in range(12):
        run["step"] = step
        got.append(np.asarray(lab.next_batch(run)))
    orders = [np.asarray(lab.epoch_order(2, epoch, 320)) for epoch in range(3)]
    return {"got": np.stack(got), "data": data, "orders": orders}


def _train(lab, seed, steps, **cfg):
    run = lab.new_run(seed, **{**CFG, **cfg})
    for _ in range(steps):
        lab.gan_step(run)
    return run


def _same_run(got):
    _exactly(got["params_b"], got["params_a"], "parameters of two runs with seed 4 after 12 steps")
    _exactly(got["losses_b"], got["losses_a"], "loss history (L_D, L_G per step) of two runs with seed 4")
    if np.asarray(got["losses_a"]).shape != (12, 2):
        raise AssertionError("loss history: expected 12 steps of (L_D, L_G), "
                             f"got shape {np.asarray(got['losses_a']).shape}")
    _differ(got["params_a"], got["params_c"], "parameters of runs with seed 4 and seed 5")


@graded(task=3, points=2, check=_same_run)
def test_same_seed_same_bits(lab):
    """Two runs with the same seed are bitwise identical (weights and losses); another seed differs."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    a = _train(lab, 4, 12)
    torch.manual_seed(1)  # whatever the global RNG holds must not matter
    b = _train(lab, 4, 12)
    c = _train(lab, 5, 12)
    return {
        "params_a": _params(a), "params_b": _params(b), "params_c": _params(c),
        "losses_a": np.array([a["loss_d"], a["loss_g"]]).T, "losses_b": np.array([b["loss_d"], b["loss_g"]]).T,
    }


def _roundtrip(ckpt):
    import io

    import torch

    buf = io.BytesIO()
    torch.save(ckpt, buf)
    buf.seek(0)
    return torch.load(buf, weights_only=False)


def _resumed_equal(got):
    _exactly(got["resumed"], got["straight"], "parameters after 5 steps + checkpoint + 7 steps vs 12 straight steps")
    _exactly(got["resumed_losses"], got["straight_losses"], "loss history of the resumed run vs the straight run")
    _exactly(got["continued"], got["straight"], "the original run, trained on after saving, vs 12 straight steps")


@graded(task=3, points=3, check=_resumed_equal)
def test_resume_is_bitwise(lab):
    """Checkpoint at step 5, resume, train to 12: bitwise equal to 12 uninterrupted steps."""
    import torch

    torch.set_num_threads(1)
    straight = _train(lab, 8, 12)
    run = _train(lab, 8, 5)
    ckpt = lab.save_checkpoint(run)
    for _ in range(7):
        lab.gan_step(run)  # training on must not change the checkpoint
    torch.manual_seed(99)  # the process's RNGs moved on meanwhile
    resumed = lab.load_checkpoint(_roundtrip(ckpt))  # through torch.save / torch.load
    for _ in range(7):
        lab.gan_step(resumed)
    return {
        "straight": _params(straight), "continued": _params(run), "resumed": _params(resumed),
        "straight_losses": np.array([straight["loss_d"], straight["loss_g"]]).T,
        "resumed_losses": np.array([resumed["loss_d"], resumed["loss_g"]]).T,
    }


def _rng_restored(got):
    _exactly(got["after_load"], got["at_save"], "draws [torch, numpy, random, noise stream] after load vs at save")


@graded(task=3, points=1, check=_rng_restored)
def test_resume_restores_every_rng(lab):
    """load_checkpoint restores the global torch, numpy and random states and the noise stream."""
    import random

    import torch

    run = _train(lab, 1, 3)
    torch.manual_seed(21), np.random.seed(21), random.seed(21)
    ckpt = _roundtrip(lab.save_checkpoint(run))

    def draws(r):
        return [torch.rand(()).item(), float(np.random.rand()), random.random(), float(lab.sample_latent(r)[0, 0])]

    at_save = draws(run)
    torch.manual_seed(5), np.random.seed(5), random.seed(5)
    resumed = lab.load_checkpoint(ckpt)
    return {"at_save": at_save, "after_load": draws(resumed)}


def _noise_independent(got):
    _exactly(got["big"], got["small"], "latent noise after 6 steps with 320 vs 640 data points (same seed)")


@graded(task=3, points=1, check=_noise_independent)
def test_latent_noise_independent_of_data(lab):
    """The latent noise is its own stream: changing the data set size does not change it."""
    small = _train(lab, 3, 6)
    big = _train(lab, 3, 6, n_data=640)
    return {"small": lab.sample_latent(small), "big": lab.sample_latent(big)}


def _stream_advances(got):
    states = [tuple(s) for s in np.asarray(got).tolist()]
    if len(set(states)) != len(states):
        raise AssertionError(
            "the noise generator is in the same state after two different steps: every step gets the same "
            "latent noise. Seed once, when the run starts, never inside the loop"
        )


@graded(task=3, points=1, check=_stream_advances)
def test_noise_stream_advances(lab):
    """Each training step draws new latent noise: the noise generator's state never repeats."""
    run = lab.new_run(2, **CFG)
    states = []
    for _ in range(4):
        lab.gan_step(run)
        states.append(run["noise"].get_state().numpy().copy())
    return np.stack(states)


@graded(task=3, points=1, expect={"lr": [0.01, 0.01], "betas": [[0.3, 0.999], [0.3, 0.999]], "data shape": [64, 2],
                                  "G": [[3, 5], [5, 5], [5, 2]], "D": [[2, 5], [5, 5], [5, 1]]})
def test_new_run_passes_config(lab):
    """new_run passes its config on: lr and beta1 to both Adam optimizers, n_data, latent_dim and hidden to the
    models."""
    run = lab.new_run(3, lr=0.01, beta1=0.3, n_data=64, latent_dim=3, hidden=5)
    linear = [[m.in_features, m.out_features] for m in run["G"] if hasattr(m, "in_features")]
    linear_d = [[m.in_features, m.out_features] for m in run["D"] if hasattr(m, "in_features")]
    return {"lr": [run["opt_g"].param_groups[0]["lr"], run["opt_d"].param_groups[0]["lr"]],
            "betas": [list(run["opt_g"].param_groups[0]["betas"]), list(run["opt_d"].param_groups[0]["betas"])],
            "data shape": list(run["data"].shape), "G": linear, "D": linear_d}


# ---------------------------------------------------------------------------------------------
# Task 4: quality and mode-collapse metrics
# ---------------------------------------------------------------------------------------------


def _hand_samples():
    c = np.array([[2.0, 0.0], [2 ** 0.5, 2 ** 0.5], [-(2 ** 0.5), -(2 ** 0.5)]])
    return np.array([c[0], c[0] + [0.1, 0.0], c[1], c[2] + [0.2, 0.0], [0.0, 0.0]])


@graded(task=4, points=2, expect=[2, 1, 0, 0, 0, 0, 0, 0])
def test_mode_histogram_hand(lab):
    """Two samples at mode 0 (one 0.1 away), one at mode 1; 0.2 from mode 5 and the origin are too far (> 3 * 0.05)."""
    return lab.mode_histogram(_hand_samples())


@graded(
    task=4,
    points=2,
    expect={"hq_fraction": 0.6, "modes_covered": 2,
            "kl_uniform": 2 / 3 * math.log(16 / 3) + 1 / 3 * math.log(8 / 3)},
    rtol=1e-9,
)
def test_collapse_metrics_hand(lab):
    """3 of 5 samples are high quality; shares (2/3, 1/3): 2 modes, KL = 2/3 ln(16/3) + 1/3 ln(8/3)."""
    m = lab.collapse_metrics(_hand_samples())
    return {k: m[k] for k in ("hq_fraction", "modes_covered", "kl_uniform")}


def _tells_collapse(got):
    verdicts = got["collapsed"]
    if verdicts != [True, False, False]:
        raise AssertionError(
            f"is_collapsed for [all samples on one mode, healthy, blurry but covering every mode]: expected "
            f"[True, False, False], got {verdicts}. Quality alone cannot see collapse: judge the mode histogram"
        )
    one = got["metrics"][0]
    assert_close(one["hq_fraction"], 1 - math.exp(-4.5), atol=0.01, name="hq_fraction of the collapsed set (Rayleigh)")
    assert_close(one["kl_uniform"], math.log(8), rtol=1e-9, name="kl_uniform of the collapsed set")
    assert_close(one["modes_covered"], 1, name="modes_covered of the collapsed set")


@graded(task=4, points=2, check=_tells_collapse)
def test_is_collapsed_tells_collapse_from_quality(lab):
    """A generator on one mode (quality 0.99) is collapsed; healthy or blurry-but-covering ones are not."""
    rng = np.random.default_rng(0)
    c = lab.mode_centres()
    collapsed = c[3] + 0.05 * rng.standard_normal((3000, 2))
    healthy = c[np.arange(3000) % 8] + 0.05 * rng.standard_normal((3000, 2))
    blurry = c[np.arange(3000) % 8] + 0.25 * rng.standard_normal((3000, 2))
    metrics = [lab.collapse_metrics(s) for s in (collapsed, healthy, blurry)]
    return {
        "collapsed": [bool(lab.is_collapsed(m)) for m in metrics],
        "metrics": [{k: m[k] for k in ("hq_fraction", "modes_covered", "kl_uniform")} for m in metrics],
    }


@graded(task=4, points=1, expect={"histogram at 3 std": [1, 0, 1, 0], "covered at min_share": 4, "covered above": 2,
                                  "kl at max_kl": False, "one mode missing": True, "modes=4": False,
                                  "max_kl=0.05": True})
def test_collapse_boundaries_and_parameters(lab):
    """A sample exactly 3 std from a centre counts (<=); a share exactly min_share covers its mode (>=); KL exactly
    max_kl is not collapse (>); any missing mode is. modes, radius, std, min_share and max_kl are all parameters."""
    # 4 modes on a ring of radius 4: centres (4, 0), (0, 4), (-4, 0), (0, -4); std 0.25 -> 3 std = 0.75 exactly.
    on_edge = np.array([[4.75, 0.0], [-4.0, 0.0], [0.0, 4.8]])
    shares = np.array([[4.0, 0.0], [0.0, 4.0], [-4.0, 0.0], [0.0, -4.0]])
    return {
        "histogram at 3 std": lab.mode_histogram(on_edge, modes=4, radius=4.0, std=0.25),
        "covered at min_share": lab.collapse_metrics(shares, modes=4, radius=4.0, std=0.25,
                                                     min_share=0.25)["modes_covered"],
        "covered above": lab.collapse_metrics(np.r_[shares, shares[:2]], modes=4, radius=4.0, std=0.25,
                                              min_share=0.25)["modes_covered"],
        "kl at max_kl": lab.is_collapsed({"modes_covered": 8, "kl_uniform": 0.25, "hq_fraction": 1.0}),
        "one mode missing": lab.is_collapsed({"modes_covered": 7, "kl_uniform": 0.0, "hq_fraction": 1.0}),
        "modes=4": lab.is_collapsed({"modes_covered": 4, "kl_uniform": 0.1, "hq_fraction": 1.0}, modes=4),
        "max_kl=0.05": lab.is_collapsed({"modes_covered": 8, "kl_uniform": 0.1, "hq_fraction": 1.0}, max_kl=0.05),
    }



@graded(task=4, points=1, expect={"hq_fraction": 0.0, "modes_covered": 0, "kl_uniform": math.log(8)}, rtol=1e-9)
def test_collapse_metrics_nothing_good(lab):
    """No sample within 3 std of any centre: no mode covered, KL at its worst value ln 8."""
    m = lab.collapse_metrics(np.zeros((5, 2)) + [0.3, -0.2])
    return {k: m[k] for k in ("hq_fraction", "modes_covered", "kl_uniform")}

# ---------------------------------------------------------------------------------------------
# Task 5: the limits of determinism
# ---------------------------------------------------------------------------------------------


@graded(task=5, points=2, expect=[1.0, 0.0, 1.0])
def test_chunked_sum_hand(lab):
    """[1e8, 1, -1e8, 1] in float32: 1 chunk gives 1, 2 chunks give 0 (1e8 + 1 rounds to 1e8), 4 chunks give 1."""
    x = np.array([1e8, 1.0, -1e8, 1.0], dtype=np.float32)
    return [lab.chunked_sum(x, k) for k in (1, 2, 4)]


@graded(task=5, points=1, expect={"float32 running sum": 1e8, "more chunks than items": 6.0, "uneven chunks": 15.0})
def test_chunked_sum_float32_and_uneven(lab):
    """Each part is summed in float32 step by step: 1e8 + 3 + 3 + 3 stays 1e8 (a float64 running sum would give
    100000008); 5 chunks of 3 items (two empty parts count 0); 4 chunks of 5 items (sizes 2, 1, 1, 1)."""
    return {"float32 running sum": lab.chunked_sum(np.array([1e8, 3.0, 3.0, 3.0]), 1),
            "more chunks than items": lab.chunked_sum(np.array([1.0, 2.0, 3.0]), 5),
            "uneven chunks": lab.chunked_sum(np.arange(1.0, 6.0), 4)}


def _threads_repeatable(got):
    s = got["sums"]
    if len(s) != 4:
        raise AssertionError(f"thread_sums(x, [1, 2, 1, 2]): expected 4 sums, got {len(s)}")
    _exactly(s[2], s[0], "sum with 1 thread, repeated")
    _exactly(s[3], s[1], "sum with 2 threads, repeated")
    exact = _EXACT_THREAD_SUM()  # computed in the grader
    assert_close(s[0], exact, rtol=1e-5, atol=1e-2, name="sum with 1 thread vs the exact (float64) sum")
    if got["threads_after"] != 3:
        raise AssertionError("thread_sums must restore the thread count: it was 3 before, "
                             f"{got['threads_after']} after")


def _exact_thread_sum():
    return float(_thread_sums_input().double().sum())


_EXACT_THREAD_SUM = oracle(_exact_thread_sum)


def _thread_sums_input():
    import torch

    return torch.randn(200_003, generator=torch.Generator().manual_seed(1))


@graded(task=5, points=2, check=_threads_repeatable)
def test_thread_sums_repeatable(lab):
    """Same thread count, same bits; the thread count in force before the call is restored."""
    import torch

    x = _thread_sums_input()
    torch.set_num_threads(3)
    sums = lab.thread_sums(x, [1, 2, 1, 2])
    after = torch.get_num_threads()
    torch.set_num_threads(1)
    return {"sums": [float(v) for v in sums], "threads_after": after}


@graded(task=5, points=1, expect={"set_num_threads calls": [1, 2], "restored": 3, "restored after an error": 3,
                                  "raised": "RuntimeError", "float32 sums": True})
def test_thread_sums_sets_each_count_and_restores(lab):
    """Each sum runs under its own thread count (torch.set_num_threads(t) for each t); the count in force
    before is restored afterwards, also when a count is refused (0 raises); x is summed as float32."""
    import torch

    calls, real = [], torch.set_num_threads

    def spy(t):
        calls.append(int(t))
        return real(t)

    x = np.full(1000, 0.1)  # float64 input: its sum must still be a float32 sum
    real(3)
    torch.set_num_threads = spy
    try:
        sums = lab.thread_sums(x, [1, 2])
        after = torch.get_num_threads()
        raised = None
        try:
            lab.thread_sums(x, [2, 0])
        except Exception as exc:  # noqa: BLE001  (the test records which exception came)
            raised = type(exc).__name__
        after_error = torch.get_num_threads()
    finally:
        torch.set_num_threads = real
        real(1)
    return {"set_num_threads calls": [c for c in calls if c != 3][:2], "restored": after,
            "restored after an error": after_error, "raised": raised,
            "float32 sums": all(float(np.float32(v)) == float(v) for v in sums)}


### BEGIN HIDDEN TESTS
@graded(task=1, points=1, expect=REFERENCE, rtol=0)
def test_derive_seed_reference(lab):
    """derive_seed on several key tuples, as specified (SeedSequence, first 32-bit word)."""
    return [lab.derive_seed(*keys) for keys in [(0,), (5, 1, 0), (5, 1, 1), (123, 5), (2**40, 3, 7)]]


@graded(task=2, points=1, expect=REFERENCE, rtol=0)
def test_epoch_order_reference(lab):
    """epoch_order(11, e, 30) for e = 0..2, as specified (randperm from derive_seed(seed, ORDER, epoch))."""
    return [list(lab.epoch_order(11, e, 30)) for e in range(3)]


@graded(task=2, points=1, expect=REFERENCE, rtol=1e-6, atol=1e-7)
def test_loader_reference(lab):
    """Points and indices of one epoch of make_loader(RingDataset(24, 5, jitter=0.1)) as specified."""
    import torch

    ds = lab.RingDataset(24, 5, jitter=0.1)
    xs, idx = [], []
    for x, i in lab.make_loader(ds, seed=3, epoch=4, batch_size=5):
        xs.append(torch.as_tensor(x))
        idx.append(torch.as_tensor(i))
    return {"x": torch.cat(xs).double(), "idx": torch.cat(idx)}


@graded(task=3, points=1, expect=REFERENCE, rtol=1e-6, atol=1e-7)
def test_latent_reference(lab):
    """The first two latent batches of a new run (seed 9) from its NOISE generator."""
    run = lab.new_run(9, **CFG)
    return [lab.sample_latent(run), lab.sample_latent(run)]


@graded(task=3, points=2, expect=REFERENCE, rtol=1e-4, atol=1e-5)
def test_gan_reference(lab):
    """Initial weights and the weights and losses after 10 steps (seed 4) match the specified training step."""
    import torch

    torch.set_num_threads(1)
    run = lab.new_run(4, **CFG)
    init = _params(run).clone()
    for _ in range(10):
        lab.gan_step(run)
    return {"init": init, "params": _params(run), "loss_d": run["loss_d"], "loss_g": run["loss_g"]}


@graded(task=4, points=1, expect=REFERENCE, rtol=1e-9)
def test_collapse_metrics_reference(lab):
    """Metrics of an unevenly weighted, partly blurred mixture (modes 2 and 6 nearly dropped)."""
    rng = np.random.default_rng(3)
    w = np.array([0.3, 0.2, 0.005, 0.15, 0.15, 0.1, 0.0, 0.095])
    k = rng.choice(8, size=2000, p=w)
    s = lab.mode_centres()[k] + rng.choice([0.05, 0.2], size=(2000, 1)) * rng.standard_normal((2000, 2))
    m = lab.collapse_metrics(s)
    return {"m": {k_: m[k_] for k_ in ("hq_fraction", "modes_covered", "kl_uniform")},
            "hist": lab.mode_histogram(s), "collapsed": bool(lab.is_collapsed(m))}


@graded(task=5, points=2, expect=REFERENCE, rtol=0)
def test_chunked_sum_reference(lab):
    """Float32 chunked sums of 1001 numbers of mixed magnitude for 1, 2, 3, 5 and 8 chunks, bit for bit."""
    rng = np.random.default_rng(8)
    x = (rng.standard_normal(1001) * 10.0 ** rng.integers(-3, 6, 1001)).astype(np.float32)
    return [lab.chunked_sum(x, k) for k in (1, 2, 3, 5, 8)]

@graded(task=3, points=1, expect=REFERENCE, rtol=0)
def test_build_models_reference(lab):
    """Initial weights of build_models (defaults, and latent_dim=3, hidden=5) equal the reference's: seeded with
    derive_seed(seed, INIT), G first, under fork_rng."""
    out = {}
    for key, (G, D) in (("defaults", lab.build_models(11)), ("small", lab.build_models(11, latent_dim=3, hidden=5))):
        out[key] = [p.detach().numpy() for p in list(G.parameters()) + list(D.parameters())]
    return out


@graded(task=2, points=1, expect=REFERENCE, rtol=1e-6, atol=1e-7)
def test_dataset_epochs_reference(lab):
    """One data set object moved through epochs 0, 2, 0: items equal the reference's, with jitter 0.1."""
    ds = lab.RingDataset(12, seed=4, jitter=0.1)
    out = []
    for epoch in (0, 2, 0):
        ds.set_epoch(epoch)
        out.append(np.stack([ds[i][0] for i in range(len(ds))]))
    return out

### END HIDDEN TESTS
