"""Graded tests of the `continual` lab: forgetting, replay, EWC, drift statistics, gated updates.

Each test is a probe: it calls your module on fixed, seeded inputs and returns plain data that
the grader judges. Public tests use hand-computed values or properties.
"""

import math

import numpy as np

from course.testing import REFERENCE, assert_close, graded


def _torch():
    import torch

    torch.set_num_threads(1)
    return torch


# ------------------------------------------------------------------ Task 1: forgetting, measured

R_HAND = [[0.9, 0.1, 0.0], [0.5, 0.8, 0.2], [0.3, 0.6, 0.7]]


@graded(task=1, points=2, expect={"acc": 1.6 / 3, "bwt": -0.4}, rtol=1e-9, atol=1e-12)
def test_metrics_hand(lab):
    """R[t, i] = accuracy on task i after task t. ACC = mean(0.3, 0.6, 0.7);
    BWT = mean(0.3 - 0.9, 0.6 - 0.8) = -0.4."""
    out = lab.forgetting_metrics(np.array(R_HAND))
    return {"acc": out["acc"], "bwt": out["bwt"]}


def _finetune_forgets(got):
    assert_close(list(np.shape(got["R"])), [2, 2], name="shape of R")
    assert_close(list(np.shape(got["curve"])), [30, 2], name="shape of curve (2 tasks x 15 epochs, 2 tasks)")
    R = np.asarray(got["R"])
    assert R[0, 0] >= 0.9, f"after task A the model should know task A (R[0, 0] >= 0.9), got {R[0, 0]:.3f}"
    assert R[1, 1] >= 0.9, f"after task B the model should know task B (R[1, 1] >= 0.9), got {R[1, 1]:.3f}"
    assert R[1, 0] <= 0.2, (
        f"plain fine-tuning on classes 2, 3 should wipe out task A (R[1, 0] <= 0.2), got {R[1, 0]:.3f}"
    )
    assert_close(np.asarray(got["curve"])[-1], R[1], rtol=0, atol=1e-12, name="last row of curve vs R[1]")


@graded(task=1, points=2, check=_finetune_forgets)
def test_finetune_forgets(lab):
    """Class-incremental: after training on classes 2 and 3 the shared head never predicts 0 or 1."""
    _torch()
    out = lab.train_sequence(lab.class_incremental_tasks(), "finetune")
    return {"R": out["R"], "curve": out["curve"]}


def _mitigations(got):
    R = {s: np.asarray(got[s], dtype=float) for s in ("finetune", "ewc", "replay")}
    for s, r in R.items():
        assert_close(list(r.shape), [2, 2], name=f"shape of R for '{s}'")
    got = {"finetune": R["finetune"][1, 0], "ewc": R["ewc"][1, 0], "replay": R["replay"][1, 0],
           "replay_b": R["replay"][1, 1]}
    assert got["finetune"] <= 0.2, f"fine-tune: R[1, 0] should be <= 0.2, got {got['finetune']:.3f}"
    assert got["ewc"] <= 0.5, (
        f"EWC should NOT rescue class-incremental learning here (R[1, 0] <= 0.5), got {got['ewc']:.3f}"
    )
    assert got["replay"] >= 0.8, f"replay should keep task A (R[1, 0] >= 0.8), got {got['replay']:.3f}"
    assert got["replay_b"] >= 0.8, f"replay should still learn task B (R[1, 1] >= 0.8), got {got['replay_b']:.3f}"


@graded(task=1, points=2, check=_mitigations)
def test_which_mitigation_works(lab):
    """Accuracy on task A after task B: fine-tuning and EWC forget, replay remembers."""
    _torch()
    tasks = lab.class_incremental_tasks()
    return {s: lab.train_sequence(tasks, s)["R"] for s in ("finetune", "ewc", "replay")}


# ------------------------------------------------------------------ Task 2: reservoir buffer


@graded(task=1, points=1, expect={"one task": {"acc": 0.7, "bwt": 0.0}, "two tasks": {"acc": 0.6, "bwt": -0.5},
                                  "four tasks": {"acc": 0.45, "bwt": -0.8 / 3}}, rtol=1e-12, atol=1e-12)
def test_metrics_sizes(lab):
    """One task: BWT is 0 (nothing to forget); two tasks; four tasks (BWT averages T - 1 = 3 differences)."""
    four = [[0.9, 0.0, 0.0, 0.0], [0.5, 0.8, 0.0, 0.0], [0.4, 0.7, 0.6, 0.0], [0.5, 0.6, 0.4, 0.3]]
    return {"one task": lab.forgetting_metrics([[0.7]]),
            "two tasks": lab.forgetting_metrics([[0.9, 0.1], [0.4, 0.8]]),
            "four tasks": lab.forgetting_metrics(four)}


@graded(task=2, points=1, expect={"full": [0, 1, 2], "seen": 3, "partial": [0, 1, 2]})
def test_reservoir_fills(lab):
    """Before the buffer is full every item is kept, in order."""
    full = lab.Reservoir(3, seed=0)
    partial = lab.Reservoir(5, seed=0)
    for i in range(3):
        full.add(i)
        partial.add(i)
    return {"full": list(full.items), "seen": full.seen, "partial": list(partial.items)}


N_STREAM, K_BUF, N_SEEDS = 20, 5, 400
CHI2_CRIT = 43.82  # chi-square quantile 0.999 with 19 degrees of freedom


def _uniform_inclusion(got):
    buffers = got["buffers"]
    assert_close(len(buffers), N_SEEDS, name="number of buffers (one per seed)")
    assert_close(sorted({len(b) for b in buffers}), [K_BUF], name="buffer sizes seen over the seeds")
    counts = np.zeros(N_STREAM)
    for b in buffers:  # how often each item ended in a buffer, counted here in the grader
        items = np.asarray(b)
        if items.dtype.kind not in "iu" or items.min() < 0 or items.max() >= N_STREAM:
            raise AssertionError(f"a buffer holds {b!r}: expected items of the stream 0..{N_STREAM - 1}")
        np.add.at(counts, items, 1)
    expected = N_SEEDS * K_BUF / N_STREAM
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    assert chi2 < CHI2_CRIT, (
        f"every item of the stream should end in the buffer with probability k/n = {K_BUF}/{N_STREAM}: "
        f"expected about {expected:g} of {N_SEEDS} seeds per item, got counts {counts.astype(int).tolist()} "
        f"(chi-square {chi2:.1f} >= {CHI2_CRIT})"
    )


@graded(task=2, points=3, check=_uniform_inclusion)
def test_reservoir_uniform(lab):
    """Over many seeds, each of 20 items is kept about 400 * 5 / 20 = 100 times."""
    buffers = []
    for seed in range(N_SEEDS):
        buf = lab.Reservoir(K_BUF, seed=seed)
        for i in range(N_STREAM):
            buf.add(i)
        buffers.append([int(x) for x in buf.items])
    return {"buffers": buffers}


# ------------------------------------------------------------------ Task 3: EWC


def _linear(torch, weight, bias):
    layer = torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(weight, dtype=torch.float64))
        layer.bias.copy_(torch.tensor(bias, dtype=torch.float64))
    return layer


# Zero weights: p(c | x) = 1/2, so d log p(y|x) / dW[c] = (1[c = y] - 1/2) x and d/db[c] = 1[c = y] - 1/2.
# Squared and averaged over x1 = (1, 2, 3), x2 = (0, 1, -1): W -> mean(x_j^2) / 4, b -> 1/4.
FISHER_HAND = [0.125, 0.625, 1.25, 0.125, 0.625, 1.25, 0.25, 0.25]


@graded(task=3, points=2, expect=FISHER_HAND, rtol=1e-12, atol=1e-15)
def test_fisher_hand(lab):
    """A 3 -> 2 linear model with zero weights on two samples: weights (2, 3) first, then bias (2)."""
    torch = _torch()
    model = _linear(torch, np.zeros((2, 3)), np.zeros(2))
    return lab.diagonal_fisher(model, np.array([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0]]), np.array([0, 1]))


THETA = np.array([0.5, -1.0, 2.0, 0.0, 1.5, -0.5, 0.25, 3.0])
ANCHOR = np.array([0.0, 1.0, 2.0, -1.0, 0.5, 0.5, 0.0, 1.0])
FISHER = np.array([1.0, 0.5, 3.0, 2.0, 0.0, 0.25, 4.0, 0.125])
LAM = 3.0


@graded(task=3, points=2,
        expect={"value": 0.5 * LAM * float(np.sum(FISHER * (THETA - ANCHOR) ** 2)),
                "grad": LAM * FISHER * (THETA - ANCHOR)},
        rtol=1e-12, atol=1e-15)
def test_ewc_penalty_grad(lab):
    """Omega = (lambda/2) sum F (theta - theta*)^2, so its gradient is lambda F (theta - theta*)."""
    torch = _torch()
    model = _linear(torch, THETA[:6].reshape(2, 3), THETA[6:])
    value = lab.ewc_penalty(model, torch.tensor(ANCHOR), torch.tensor(FISHER), LAM)
    grads = torch.autograd.grad(value, list(model.parameters()))
    return {"value": float(value.detach()), "grad": torch.cat([g.reshape(-1) for g in grads])}


def _fisher_of_task_a(got):
    assert_close(got["fisher"], got["recomputed"], rtol=1e-8, atol=1e-14,
                 name="returned fisher vs diagonal_fisher(anchor model, task A training data)")


@graded(task=3, points=2, check=_fisher_of_task_a)
def test_ewc_fisher_from_task_a(lab):
    """The Fisher EWC protects with is task A's, measured at task A's solution (the anchor)."""
    _torch()
    tasks = lab.class_incremental_tasks()
    out = lab.train_sequence(tasks, "ewc")
    model = lab.make_model()
    lab.set_flat_params(model, out["anchor"])
    return {"fisher": out["fisher"], "recomputed": lab.diagonal_fisher(model, tasks[0]["X"], tasks[0]["y"])}


# ------------------------------------------------------------------ Task 4: PSI and KS


@graded(task=4, points=2, expect=0.25 * math.log(3.0), rtol=1e-12)
def test_psi_hand(lab):
    """Reference 0..7, two bins split at its median 3.5: e = (1/2, 1/2). Current has 2 of 8 below
    3.5: a = (1/4, 3/4). PSI = -1/4 ln(1/2) + 1/4 ln(3/2) = ln(3) / 4."""
    return lab.psi(np.arange(8.0), np.array([0.0, 1, 5, 6, 7, 8, 9, 10]), n_bins=2)


@graded(task=4, points=2, expect=(1e-4 - 0.5) * math.log(1e-4 / 0.5) + 0.5 * math.log(2.0), rtol=1e-12)
def test_psi_empty_bin(lab):
    """An empty current bin: a = (0, 1) is clipped to (eps, 1), so PSI stays finite."""
    return lab.psi(np.array([-1.0, -1, 1, 1]), np.array([1.0, 1, 1, 1]), edges=np.array([0.0]), eps=1e-4)


def _symmetric(got):
    assert_close(got["ab"], got["ba"], rtol=1e-12, name="psi(a, b) vs psi(b, a) with the same edges")
    assert got["ab"] > 0, f"PSI of two different samples should be > 0, got {got['ab']}"
    assert_close(got["aa"], 0.0, atol=1e-15, name="psi(a, a)")


@graded(task=4, points=1, check=_symmetric)
def test_psi_symmetric(lab):
    """With the bins fixed, PSI is a symmetrised KL divergence: swapping the samples changes nothing."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=80), rng.normal(0.5, 1.0, size=30)
    edges = np.array([-1.0, -0.3, 0.2, 0.8, 1.5])
    return {"ab": lab.psi(a, b, edges=edges), "ba": lab.psi(b, a, edges=edges), "aa": lab.psi(a, a, edges=edges)}


@graded(task=4, points=1, expect=0.5 * math.log(2.0) + (0.01 - 0.5) * math.log(0.01 / 0.5), rtol=1e-12)
def test_psi_eps_and_edges(lab):
    """Given edges and eps=0.01: the empty bin is clipped at 0.01, not at the default 1e-4."""
    return lab.psi([0.0, 1.0], [0.0, 0.0], eps=0.01, edges=[0.5])


@graded(task=4, points=2, expect=[2 / 3, 1 / 3], rtol=1e-12)
def test_ks_hand(lab):
    """(1, 2, 3) vs (2.5, 4): at x = 2, F_a = 2/3 and F_b = 0. With ties, (1, 2, 2, 3) vs (2, 2, 5):
    the largest gap is at x = 3, 1 - 2/3 = 1/3 (CDFs count values <= x)."""
    return [lab.ks_statistic([1.0, 2.0, 3.0], [2.5, 4.0]), lab.ks_statistic([1.0, 2, 2, 3], [2.0, 2, 5])]


# ------------------------------------------------------------------ Task 5: thresholds and alarms


@graded(task=5, points=2, expect=[[True, False, False, True, False], [True, True], [True, False, False]])
def test_holm_hand(lab):
    """p = (0.011, 0.04, 0.03, 0.005, 0.2): 0.005 <= 0.05/5, 0.011 <= 0.05/4, 0.03 > 0.05/3: stop."""
    return [lab.holm([0.011, 0.04, 0.03, 0.005, 0.2], 0.05).tolist(),
            lab.holm([0.001, 0.002], 0.05).tolist(),
            lab.holm([0.01, 0.02, 0.03], 0.03).tolist()]


@graded(task=5, points=2, expect=[0.01, 1.0], rtol=1e-12)
def test_permutation_extremes(lab):
    """A huge shift beats all 99 permutations: p = 1/100. Identical samples: every split ties: p = 1."""
    rng = np.random.default_rng(1)
    ref = rng.normal(size=50)
    return [lab.permutation_pvalue(ref, ref[:30] + 10.0, lab.psi, n_perm=99, seed=0),
            lab.permutation_pvalue(ref, ref.copy(), lab.psi, n_perm=99, seed=0)]


@graded(task=5, points=1, expect={"defaults": 1 / 200, "holm default alpha": [True, True, False]}, rtol=1e-12)
def test_permutation_and_holm_defaults(lab):
    """permutation_pvalue's defaults: PSI, 199 permutations (a huge shift gives p = 1/200), seed 0;
    holm's default alpha is 0.05 (0.01 <= 0.05/3, 0.02 <= 0.05/2, 0.06 > 0.05)."""
    rng = np.random.default_rng(1)
    ref = rng.normal(size=50)
    return {"defaults": lab.permutation_pvalue(ref, ref[:30] + 10.0),
            "holm default alpha": lab.holm([0.01, 0.02, 0.06]).tolist()}


def _calibrated(got):
    p = np.asarray(got, dtype=float)
    rate = float(np.mean(p <= 0.1))
    assert 0.02 <= rate <= 0.22, (
        f"under no drift, p <= 0.1 should happen about 10% of the time; got {rate:.0%} over {p.size} pairs"
    )


@graded(task=5, points=2, check=_calibrated)
def test_permutation_calibrated(lab):
    """No drift: 100 pairs from the same distribution give p-values spread uniformly."""
    rng = np.random.default_rng(2)
    return [lab.permutation_pvalue(rng.normal(size=40), rng.normal(size=20), lab.ks_statistic, n_perm=49, seed=s)
            for s in range(100)]


def _quiet(got):
    alarms = np.asarray(got["any"], dtype=bool)
    psis = np.asarray(got["psi"], dtype=float)
    assert alarms.sum() <= 2, (
        f"10 windows without drift raised {int(alarms.sum())} alarms (expected at most 2). Their mean PSI "
        f"is {psis.mean():.2f}: with 50-point windows, PSI exceeds 0.1 / 0.25 by chance alone"
    )


@graded(task=5, points=2, check=_quiet)
def test_monitor_quiet(lab):
    """10 undrifted windows of 50 points, 5 features: the family-wise alarm rate stays near alpha."""
    rng = np.random.default_rng(3)
    ref = rng.normal(size=(200, 5))
    out = [lab.monitor_window(ref, rng.normal(size=(50, 5)), n_perm=99, seed=w) for w in range(10)]
    return {"any": [o["any"] for o in out], "psi": [o["psi"] for o in out]}


def _detects(got):
    alarm = np.asarray(got, dtype=bool)
    assert_close(list(alarm.shape), [5], name="alarm shape")
    assert alarm[2], f"feature 2 was shifted by one standard deviation and should alarm; alarms: {alarm.tolist()}"
    assert alarm.sum() <= 2, f"only feature 2 drifted; alarms: {alarm.tolist()}"


@graded(task=5, points=2, check=_detects)
def test_monitor_detects(lab):
    """Feature 2 of the window is shifted by 1.0: its alarm fires, the others mostly stay quiet."""
    rng = np.random.default_rng(4)
    ref, cur = rng.normal(size=(200, 5)), rng.normal(size=(50, 5))
    cur[:, 2] += 1.0
    return lab.monitor_window(ref, cur, seed=0)["alarm"]


# ------------------------------------------------------------------ Task 6: gated feedback loop


@graded(task=6, points=2, expect={"v1_after_edit": [1.0, 1.0], "v2": [5.0, 5.0], "versions": [1, 2],
                                   "after_copy_edit": [1.0, 1.0], "production": [2, 1]})
def test_registry_immutable(lab):
    """Stored versions never change: not when the live model trains on, not when a loaded copy is edited."""
    torch = _torch()
    model = torch.nn.Linear(2, 1, bias=False).double()
    reg = lab.Registry()
    with torch.no_grad():
        model.weight.fill_(1.0)
    v1 = reg.register(model)
    with torch.no_grad():
        model.weight.fill_(5.0)
    v2 = reg.register(model)
    first = reg.load(v1)["weight"].reshape(-1).tolist()
    copy = reg.load(v1)
    copy["weight"].fill_(9.0)
    reg.promote(v1)
    reg.promote(v2)
    production = [reg.production, reg.rollback()]
    return {"v1_after_edit": first, "v2": reg.load(v2)["weight"].reshape(-1).tolist(), "versions": [v1, v2],
            "after_copy_edit": reg.load(v1)["weight"].reshape(-1).tolist(), "production": production}


@graded(task=6, points=1, expect=[0.06, 0.0], rtol=1e-12, atol=1e-15)
def test_margin_hand(lab):
    """2 standard errors of p = 0.9 on 100 golden examples: 2 sqrt(0.9 * 0.1 / 100) = 0.06."""
    return [lab.promotion_margin(0.9, 100, 2.0), lab.promotion_margin(1.0, 50, 3.0)]


@graded(task=6, points=1, expect=[0.06, 0.1], rtol=1e-12, atol=1e-15)
def test_margin_default_k(lab):
    """The default k is 2: 2 sqrt(0.9 * 0.1 / 100) = 0.06, and 2 sqrt(0.5 * 0.5 / 100) = 0.1."""
    return [lab.promotion_margin(0.9, 100), lab.promotion_margin(0.5, 100)]


@graded(task=6, points=1, expect={"promoted": [True, True, True], "version": [2, 3, 4]})
def test_gate_admits_equal_accuracy(lab):
    """The gate is >=: with k = 0 and epochs = 0 each challenger is an untrained copy with exactly the
    champion's golden accuracy, and it passes (each promotion moves production to the new version)."""
    _torch()
    model, windows, golden, test, _ = lab.feedback_scenario(n_windows=3, seed=0)
    out = lab.feedback_loop(model, windows, golden, test, k=0.0, epochs=0)
    return {"promoted": out["promoted"], "version": out["version"]}


_POISONED = [3, 6, 7]  # the windows feedback_scenario poisons (continual.POISONED), fixed here in the grader


def _gate_holds(got):
    promoted = np.asarray(got["promoted"], dtype=bool)
    poisoned = _POISONED
    assert not promoted[poisoned].any(), (
        f"poisoned windows {poisoned} must never be promoted; promoted: {promoted.tolist()}"
    )
    assert promoted.sum() >= 4, f"clean windows should mostly be promoted; promoted: {promoted.tolist()}"
    served = np.asarray(got["served_test"])
    assert served.min() >= 0.7, f"with the gate, served accuracy should stay >= 0.7; got {np.round(served, 3).tolist()}"


@graded(task=6, points=3, check=_gate_holds)
def test_gate_blocks_poison(lab):
    """Windows 3, 6 and 7 carry shifted labels: the golden-set gate must reject all three."""
    _torch()
    model, windows, golden, test, _ = lab.feedback_scenario()
    out = lab.feedback_loop(model, windows, golden, test)
    return {"promoted": out["promoted"], "served_test": out["served_test"]}


def _ungated_collapses(got):
    assert all(got["promoted"]), f"without a gate every window is promoted; got {got['promoted']}"
    assert min(got["served_test"]) <= 0.3, (
        "without a gate, poisoned feedback should drag served accuracy below 0.3; "
        f"got {np.round(got['served_test'], 3).tolist()}"
    )
    before, after = (np.asarray(got["start_params"][key]) for key in ("before", "after"))
    assert before.shape == after.shape and np.array_equal(before, after), (
        "feedback_loop must fine-tune copies: the model passed in was modified"
    )


@graded(task=6, points=1, check=_ungated_collapses)
def test_no_gate_collapses(lab):
    """Promote-everything on the same stream: the served model follows the attacker."""
    _torch()
    model, windows, golden, test, _ = lab.feedback_scenario()
    before = lab.flat_params(model)
    out = lab.feedback_loop(model, windows, golden, test, gate=False)
    return {"promoted": out["promoted"], "served_test": out["served_test"],
            "start_params": {"before": before, "after": lab.flat_params(model)}}


### BEGIN HIDDEN TESTS
@graded(task=1, points=1, expect=REFERENCE, rtol=1e-12, atol=1e-12)
def test_metrics_random(lab):
    """ACC and BWT of a random 5x5 accuracy matrix equal the reference's."""
    rng = np.random.default_rng(5)
    out = lab.forgetting_metrics(rng.uniform(size=(5, 5)))
    return {"acc": out["acc"], "bwt": out["bwt"]}


@graded(task=1, points=2, expect=REFERENCE, rtol=0, atol=0.03)
def test_sequence_reference(lab):
    """Plain fine-tuning on the two class-incremental tasks gives the reference's accuracy matrix."""
    _torch()
    tasks = lab.class_incremental_tasks(seed=1)
    return {s: lab.train_sequence(tasks, s, seed=1)["R"] for s in ("finetune", "replay")}


@graded(task=2, points=2, expect=REFERENCE)
def test_reservoir_exact(lab):
    """Algorithm R with a seeded generator keeps exactly the reference's 8 of 50 items."""
    buf = lab.Reservoir(8, seed=3)
    for i in range(50):
        buf.add(i)
    return {"items": list(buf.items), "seen": buf.seen}


@graded(task=3, points=2, expect=REFERENCE, rtol=1e-9, atol=1e-14)
def test_fisher_mlp(lab):
    """The diagonal Fisher of a small MLP equals the reference's (mean of per-sample squared gradients)."""
    _torch()
    rng = np.random.default_rng(6)
    model = lab.make_model(seed=1)
    return lab.diagonal_fisher(model, rng.normal(size=(8, 5)), rng.integers(0, 4, size=8))


@graded(task=3, points=2, expect=REFERENCE, rtol=1e-6, atol=1e-9)
def test_ewc_reference(lab):
    """Training with the EWC penalty gives the reference's accuracy matrix."""
    _torch()
    out = lab.train_sequence(lab.class_incremental_tasks(seed=2), "ewc", seed=2)
    return {"fisher": out["fisher"], "anchor": out["anchor"]}


@graded(task=4, points=1, expect=REFERENCE, rtol=1e-12)
def test_ks_random(lab):
    """KS statistics of random samples of different sizes equal the reference's."""
    rng = np.random.default_rng(7)
    return [lab.ks_statistic(rng.normal(size=30), rng.normal(0.3, 1.0, size=50)),
            lab.ks_statistic(rng.integers(0, 5, size=20).astype(float), rng.integers(0, 5, size=30).astype(float))]


@graded(task=4, points=1, expect=REFERENCE, rtol=1e-12)
def test_psi_random(lab):
    """PSI with 8 bins fixed on the reference window equals the reference's value."""
    rng = np.random.default_rng(8)
    return lab.psi(rng.normal(size=50), rng.normal(0.4, 1.2, size=30), n_bins=8)


@graded(task=5, points=2, expect=REFERENCE, rtol=1e-12)
def test_monitor_reference(lab):
    """The drift monitor's per-feature statistics and alarms equal the reference's."""
    rng = np.random.default_rng(9)
    ref, cur = rng.normal(size=(120, 3)), rng.normal(size=(40, 3))
    cur[:, 0] *= 1.8
    out = lab.monitor_window(ref, cur, n_bins=5, n_perm=99, seed=2)
    return {"psi": out["psi"], "pvalue": out["pvalue"], "alarm": out["alarm"]}


@graded(task=6, points=2, expect=REFERENCE, rtol=1e-9)
def test_loop_reference(lab):
    """The gated feedback loop promotes and rolls back exactly as the reference does."""
    _torch()
    model, windows, golden, test, _ = lab.feedback_scenario(seed=1)
    return lab.feedback_loop(model, windows, golden, test, seed=1)

@graded(task=1, points=1, expect=REFERENCE, rtol=1e-6, atol=1e-9)
def test_sequence_parameters_reference(lab):
    """train_sequence on three small tasks, each strategy with non-default epochs, lr, buffer_size,
    ewc_lambda and seed (and the default strategy): R, the curve, anchor and Fisher equal the reference's."""
    _torch()
    base = lab.class_incremental_tasks(seed=3, n_train=24, n_test=30)
    tasks = base + [dict(base[0])]  # a third task: the first one again
    out = {"default strategy": lab.train_sequence(tasks[:2], epochs=2, seed=4)["R"]}
    for strategy in ("finetune", "replay", "ewc"):
        res = lab.train_sequence(tasks, strategy, epochs=3, lr=0.05, buffer_size=7, ewc_lambda=50.0, seed=5)
        out[strategy] = {"R": res["R"], "curve": res["curve"],
                         "anchor": res["anchor"] if res["anchor"] is not None else "none",
                         "fisher": res["fisher"] if res["fisher"] is not None else "none"}
    return out


@graded(task=5, points=1, expect=REFERENCE, rtol=1e-12)
def test_monitor_parameters_reference(lab):
    """monitor_window with alpha=0.3 and the default seed, and permutation_pvalue with KS and seed 4."""
    rng = np.random.default_rng(10)
    ref, cur = rng.normal(size=(60, 2)), rng.normal(size=(30, 2))
    cur[:, 1] += 0.4
    out = lab.monitor_window(ref, cur, n_bins=4, alpha=0.3, n_perm=29)
    return {"psi": out["psi"], "pvalue": out["pvalue"], "alarm": out["alarm"], "any": out["any"],
            "ks p": lab.permutation_pvalue(ref[:, 0], cur[:, 0], lab.ks_statistic, n_perm=39, seed=4)}


@graded(task=6, points=1, expect=REFERENCE, rtol=1e-9)
def test_loop_parameters_reference(lab):
    """The feedback loop with k=1, epochs=2, lr=0.1, seed=3, gated and not: the same decisions as the reference."""
    _torch()
    model, windows, golden, test, _ = lab.feedback_scenario(n_windows=4, seed=2)
    return {"gated": lab.feedback_loop(model, windows, golden, test, k=1.0, epochs=2, lr=0.1, seed=3),
            "ungated": lab.feedback_loop(model, windows, golden, test, gate=False, epochs=2, lr=0.1, seed=3)}

### END HIDDEN TESTS
