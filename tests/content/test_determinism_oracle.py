"""Project tests for the determinism lab's reference solution.

They compare the reference (labs/determinism/determinism.py) with independent oracles --
scipy, torch's own samplers and loaders, NumPy's SeedSequence, plain Python float32 loops --
and check the facts the lesson and cards state (thread counts change sums here, a fresh
DataLoader draws from the global RNG, DistributedSampler's seed + epoch collides, ...).
"""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
scipy_stats = pytest.importorskip("scipy.stats")
from scipy.spatial.distance import cdist  # noqa: E402

LAB = Path(__file__).resolve().parents[2] / "labs" / "determinism"
CFG = dict(n_data=320, batch_size=64, latent_dim=3, hidden=16)


@pytest.fixture(scope="module")
def ref():
    spec = importlib.util.spec_from_file_location("determinism_reference", LAB / "determinism.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
    torch.use_deterministic_algorithms(False)


def _params(run):
    return torch.cat([p.detach().flatten() for m in (run["G"], run["D"]) for p in m.parameters()])


# --- Task 1 ----------------------------------------------------------------------------------


def test_derive_seed_is_seedsequence(ref):
    for keys in [(0,), (0, 1), (7, 1, 3), (2**40, 5)]:
        assert ref.derive_seed(*keys) == int(np.random.SeedSequence(list(keys)).generate_state(1)[0])


def test_import_does_not_load_torch():
    """Torch and matplotlib are imported lazily, so the stub and the module import fast."""
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('d', {str(LAB / 'determinism.py')!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "assert 'torch' not in sys.modules and 'matplotlib' not in sys.modules, 'heavy import at module level'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --- Task 2: facts about torch's loaders and samplers, and the reference against them ----------


def test_fact_dataloader_without_generator_draws_from_global_rng():
    from torch.utils.data import DataLoader

    torch.manual_seed(0)
    before = torch.get_rng_state().clone()
    list(DataLoader(list(range(10)), batch_size=4, shuffle=False, num_workers=0))
    assert not torch.equal(before, torch.get_rng_state()), "a DataLoader without generator= left the global RNG alone"
    torch.manual_seed(0)
    before = torch.get_rng_state().clone()
    list(DataLoader(list(range(10)), batch_size=4, generator=torch.Generator().manual_seed(1)))
    assert torch.equal(before, torch.get_rng_state())


def test_fact_distributed_sampler_needs_set_epoch_and_collides():
    from torch.utils.data import DistributedSampler

    data = list(range(20))
    s = DistributedSampler(data, num_replicas=1, rank=0, shuffle=True, seed=0)
    first, second = list(s), list(s)
    assert first == second, "without set_epoch every epoch repeats the order"
    s.set_epoch(1)
    epoch1 = list(s)
    assert epoch1 != first
    other = DistributedSampler(data, num_replicas=1, rank=0, shuffle=True, seed=1)
    assert list(other) == epoch1, "seed + epoch: (seed 0, epoch 1) == (seed 1, epoch 0)"


def test_epoch_order_matches_randperm_oracle(ref):
    for seed, epoch in [(0, 0), (3, 7), (11, 2)]:
        g = torch.Generator().manual_seed(int(np.random.SeedSequence([seed, ref.ORDER, epoch]).generate_state(1)[0]))
        assert ref.epoch_order(seed, epoch, 37) == torch.randperm(37, generator=g).tolist()
    assert ref.epoch_order(0, 1, 30) != ref.epoch_order(1, 0, 30)


def test_loader_equals_torch_sampler_and_index_oracle(ref):
    """make_loader yields exactly dataset[i] for i in epoch_order, batched like a plain DataLoader."""
    ds = ref.RingDataset(23, 4)
    for epoch in (0, 1):
        got = list(ref.make_loader(ds, seed=6, epoch=epoch, batch_size=5))
        order = ref.epoch_order(6, epoch, 23)
        ds.set_epoch(epoch)
        want_x = np.stack([ds[i][0] for i in order])
        got_x = torch.cat([x for x, _ in got]).numpy()
        got_i = torch.cat([i for _, i in got]).tolist()
        assert got_i == order
        np.testing.assert_array_equal(got_x, want_x)
        assert [len(i) for _, i in got] == [5, 5, 5, 5, 3]


@pytest.mark.parametrize("workers", [2])
def test_loader_independent_of_worker_count(ref, workers):
    def epoch(w):
        ds = ref.RingDataset(30, 9)
        return torch.cat([x for x, _ in ref.make_loader(ds, seed=2, epoch=5, batch_size=4, num_workers=w)])

    assert torch.equal(epoch(0), epoch(workers))


def test_fact_numpy_generator_in_init_repeats_across_workers():
    """The trap the lesson describes: a default_rng made in __init__ is copied into every worker."""
    from torch.utils.data import DataLoader

    class Shared:
        def __init__(self):
            self.rng = np.random.default_rng(0)

        def __len__(self):
            return 8

        def __getitem__(self, i):
            return self.rng.random()

    values = torch.cat(list(DataLoader(Shared(), batch_size=2, num_workers=2,
                                       generator=torch.Generator().manual_seed(0)))).tolist()
    assert values[0:2] == values[2:4], "worker 1 should repeat worker 0's draws"


def test_ring_mixture_matches_centres(ref):
    c = ref.mode_centres()
    assert c.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), 2.0)
    np.testing.assert_allclose(c[2], [0.0, 2.0], atol=1e-12)
    x = ref.ring_mixture(4000, 0)
    d = cdist(x, c).min(axis=1)
    assert abs(np.mean(d <= 0.15) - (1 - math.exp(-4.5))) < 0.01


# --- Task 3 ----------------------------------------------------------------------------------


def test_run_is_reproducible_across_processes(ref):
    """Same seed in another interpreter, same bits (same machine, one thread)."""
    code = (
        "import importlib.util, torch, hashlib\n"
        "torch.set_num_threads(1)\n"
        f"spec = importlib.util.spec_from_file_location('d', {str(LAB / 'determinism.py')!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        f"r = m.train_gan(3, 15, **{CFG!r})\n"
        "p = torch.cat([q.detach().flatten() for mod in (r['G'], r['D']) for q in mod.parameters()])\n"
        "print(hashlib.sha256(p.numpy().tobytes()).hexdigest())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=120)
    import hashlib

    here = ref.train_gan(3, 15, **CFG)
    assert out.stdout.strip() == hashlib.sha256(_params(here).numpy().tobytes()).hexdigest()


def test_resume_through_a_file(ref, tmp_path):
    straight = ref.train_gan(1, 11, **CFG)
    run = ref.train_gan(1, 4, **CFG)
    torch.save(ref.save_checkpoint(run), tmp_path / "ckpt.pt")
    with pytest.raises(Exception):
        torch.load(tmp_path / "ckpt.pt")  # weights_only=True refuses NumPy's RNG state (PyTorch >= 2.6)
    resumed = ref.load_checkpoint(torch.load(tmp_path / "ckpt.pt", weights_only=False))
    for _ in range(7):
        ref.gan_step(resumed)
    assert torch.equal(_params(resumed), _params(straight))
    assert resumed["loss_g"] == straight["loss_g"]


def test_gan_step_matches_manual_oracle(ref):
    """One step of the reference equals a hand-written step with nn.BCEWithLogitsLoss."""
    run = ref.new_run(5, **CFG)
    G, D = run["G"], run["D"]
    import copy

    G2, D2 = copy.deepcopy(G), copy.deepcopy(D)
    opt_g = torch.optim.Adam(G2.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D2.parameters(), lr=1e-3, betas=(0.5, 0.999))
    x = run["data"][ref.epoch_order(5, 0, 320)[:64]]
    z = torch.randn(64, 3, generator=torch.Generator().manual_seed(ref.derive_seed(5, ref.NOISE)))
    bce = torch.nn.BCEWithLogitsLoss()
    fake = G2(z)
    ld = bce(D2(x), torch.ones(64, 1)) + bce(D2(fake.detach()), torch.zeros(64, 1))
    opt_d.zero_grad(), ld.backward(), opt_d.step()
    lg = bce(D2(fake), torch.ones(64, 1))
    opt_g.zero_grad(), lg.backward(), opt_g.step()
    ref.gan_step(run)
    for p, q in zip(list(G.parameters()) + list(D.parameters()), list(G2.parameters()) + list(D2.parameters())):
        torch.testing.assert_close(p, q, rtol=0, atol=0)
    assert run["loss_d"] == [ld.item()] and run["loss_g"] == [lg.item()]


def test_tiny_gan_learns_all_modes(ref):
    """The default GAN (2000 steps, seed 0) covers all 8 modes: what the figure shows."""
    run = ref.train_gan(0, 2000)
    m = ref.collapse_metrics(ref.generate(run, 2000))
    assert m["modes_covered"] == 8 and not ref.is_collapsed(m), m
    assert m["hq_fraction"] > 0.4, m


# --- Task 4 ----------------------------------------------------------------------------------


def test_metrics_match_scipy(ref):
    rng = np.random.default_rng(1)
    w = np.array([0.4, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05, 0.0])
    x = ref.mode_centres()[rng.choice(8, 3000, p=w)] + 0.06 * rng.standard_normal((3000, 2))
    d = cdist(x, ref.mode_centres())
    good = d.min(axis=1) <= 0.15
    hist = np.bincount(d.argmin(axis=1)[good], minlength=8)
    np.testing.assert_array_equal(ref.mode_histogram(x), hist)
    m = ref.collapse_metrics(x)
    p = hist / hist.sum()
    assert m["kl_uniform"] == pytest.approx(scipy_stats.entropy(p, np.full(8, 1 / 8)), rel=1e-12)
    assert m["hq_fraction"] == pytest.approx(good.mean())
    assert m["modes_covered"] == 7
    assert ref.is_collapsed(m)


def test_rayleigh_fact_matches_scipy():
    assert 1 - math.exp(-4.5) == pytest.approx(scipy_stats.rayleigh.cdf(3.0), rel=1e-12)
    assert 1 - math.exp(-4.5) == pytest.approx(scipy_stats.chi2(df=2).cdf(9.0), rel=1e-12)


# --- Task 5 ----------------------------------------------------------------------------------


def _loop_sum(parts):
    total = np.float32(0)
    for part in parts:
        s = np.float32(0)
        for v in part:
            s = np.float32(s + v)
        total = np.float32(total + s)
    return float(total)


def test_chunked_sum_matches_python_loop(ref):
    rng = np.random.default_rng(4)
    x = (rng.standard_normal(301) * 10.0 ** rng.integers(-3, 6, 301)).astype(np.float32)
    for k in (1, 2, 3, 7, 400):
        assert ref.chunked_sum(x, k) == _loop_sum(np.array_split(x, k))
    results = {ref.chunked_sum(x, k) for k in (1, 2, 3, 5, 8)}
    assert len(results) > 1, "chunking should change float32 sums of mixed magnitudes"
    assert abs(ref.chunked_sum(x, 1) - math.fsum(x.astype(float))) < 1e-4 * np.abs(x).sum()


def test_fact_thread_count_changes_torch_sums_here(ref):
    """The lesson's claim, measured on this machine: some thread count changes the bits of a sum."""
    x = torch.randn(200_003, generator=torch.Generator().manual_seed(1))
    sums = ref.thread_sums(x, [1, 2, 3, 4, 1])
    assert sums[0] == sums[-1]
    assert len(set(sums)) > 1, f"no thread count changed the sum: {sums}"
    assert torch.get_num_threads() == 1


# --- Figures ----------------------------------------------------------------------------------


def test_make_figures(ref, tmp_path):
    paths = ref.make_figures(tmp_path, snapshot_steps=(0, 20))
    names = sorted(p.name for p in paths)
    assert names == ["determinism-collapse.png", "determinism-gan-samples.png", "determinism-mode-histogram.png"]
    assert all(p.is_file() and p.stat().st_size > 1000 for p in paths)
    snap = ref.training_snapshots(0, (0, 10), n=50, **CFG)
    assert [s.shape for s in snap["samples"]] == [(50, 2), (50, 2)]
    assert snap["histogram"].shape == (8,) and snap["loss_d"].shape == (10,)


def test_committed_card_images_exist():
    images = Path(__file__).resolve().parents[2] / "cards" / "images"
    for name in ("determinism-collapse.png", "determinism-gan-samples.png", "determinism-mode-histogram.png"):
        assert (images / name).is_file()
