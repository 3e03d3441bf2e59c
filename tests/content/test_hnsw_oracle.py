"""Project tests for the lab ``hnsw``: the reference against independent oracles.

The graded tests compare a student's code with the reference, so the reference itself must be
right. These tests check it against test-only oracles that the lab never imports:

* hnswlib (the authors' C++ library): same M, efConstruction and ef on the same data, the
  reference's mean recall@10 is within 0.02 of hnswlib's at every ef;
* scikit-learn ``NearestNeighbors(algorithm="brute")``, scipy ``cKDTree`` and ``torch.cdist``
  + ``topk`` for exact k-NN;
* scipy.stats for the level distribution (binomial and chi-square against $M^{-j}$);
* hypothesis for properties of SEARCH-LAYER and the heuristic on random inputs.

They also check what a graded test cannot see: the stub imports without heavy libraries,
lab.toml points equal the test points, planted bugs name real tests, the lesson lists the lab's
tasks and cards, the hints cover every task, the figures exist, and the benchmark runs.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
LAB = REPO / "labs" / "hnsw"


from conftest import load_module as _load  # noqa: E402

ref = _load(LAB / "hnsw.py", "hnsw_reference_under_test")


def _reachable_at_layer0(index) -> int:
    seen, stack = {index.entry_point}, [index.entry_point]
    while stack:
        for e in index.graph[0][stack.pop()]:
            if e not in seen:
                seen.add(e)
                stack.append(e)
    return len(seen)


# ----------------------------------------------------------------------------------------------
# Exact k-NN: sklearn, scipy, torch
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_brute_force_equals_sklearn_scipy_torch(seed):
    import torch
    from scipy.spatial import cKDTree
    from sklearn.neighbors import NearestNeighbors

    X, Q, k = ref.gaussian_data(300, 7, seed), ref.gaussian_data(13, 7, seed + 50), 5
    ids, dists = ref.brute_force_knn(X, Q, k)
    assert ids.dtype == np.int64 and ids.shape == (13, 5) and dists.shape == (13, 5)

    sk_d, sk_i = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(X).kneighbors(Q)
    np.testing.assert_array_equal(ids, sk_i)
    np.testing.assert_allclose(dists, sk_d, rtol=1e-12, atol=1e-12)

    kd_d, kd_i = cKDTree(X).query(Q, k=k)
    np.testing.assert_array_equal(ids, kd_i)
    np.testing.assert_allclose(dists, kd_d, rtol=1e-12)

    torch.set_num_threads(1)
    t_d, t_i = torch.cdist(torch.from_numpy(Q), torch.from_numpy(X)).topk(k, largest=False)
    np.testing.assert_array_equal(ids, t_i.numpy())
    np.testing.assert_allclose(dists, t_d.numpy(), rtol=1e-9)


def test_brute_force_breaks_ties_by_id():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [0.0, 0.5]])
    ids, d = ref.brute_force_knn(X, np.zeros((1, 2)), 4)
    assert ids.tolist() == [[4, 0, 1, 2]]
    np.testing.assert_allclose(d, [[0.5, 1, 1, 1]])


# ----------------------------------------------------------------------------------------------
# Levels: scipy.stats
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("M", [3, 5, 16])
def test_level_distribution_is_geometric(M):
    from scipy import stats

    n = 30000
    u = 1.0 - np.random.default_rng(M).random(n)
    mL = ref.level_multiplier(M)
    assert mL == pytest.approx(1 / np.log(M), rel=1e-15)
    levels = np.array([ref.random_level(float(x), mL) for x in u])
    assert stats.binomtest(int((levels >= 1).sum()), n, 1 / M).pvalue > 1e-3
    # Chi-square of the level histogram against P(l = j) = M^-j (1 - 1/M), last bin open.
    top = 3
    observed = np.array([(levels == j).sum() for j in range(top)] + [(levels >= top).sum()])
    p = np.array([M ** -j * (1 - 1 / M) for j in range(top)] + [M ** -top])
    assert stats.chisquare(observed, n * p).pvalue > 1e-3


def test_level_multiplier_refuses_m_below_2():
    for M in (0, 1):
        with pytest.raises(ValueError):
            ref.level_multiplier(M)
    assert ref.random_level(1.0, ref.level_multiplier(2)) == 0


# ----------------------------------------------------------------------------------------------
# hnswlib: the same parameters give the same recall
# ----------------------------------------------------------------------------------------------


def test_recall_matches_hnswlib():
    hnswlib = pytest.importorskip("hnswlib")
    n, dim, M, efc, k, efs = 1500, 16, 8, 64, 10, [10, 20, 40, 80]
    X, Q = ref.gaussian_data(n, dim, 0), ref.gaussian_data(300, dim, 100)
    _, true_d = ref.brute_force_knn(X, Q, k)

    index = ref.HNSW(dim, M=M, ef_construction=efc, seed=0)
    index.add(X)
    ours = ref.evaluate(index, Q, true_d, k, efs)

    lib = hnswlib.Index(space="l2", dim=dim)
    lib.init_index(max_elements=n, M=M, ef_construction=efc, random_seed=100)
    lib.set_num_threads(1)
    lib.add_items(X.astype(np.float32), np.arange(n))
    theirs = []
    for ef in efs:
        lib.set_ef(ef)
        _, sq = lib.knn_query(Q.astype(np.float32), k=k)
        theirs.append(ref.recall_at_k(np.sqrt(sq), true_d, k).mean())  # hnswlib's "l2" is squared
    diff = np.abs(ours["recall"] - np.array(theirs))
    assert diff.max() <= 0.02, f"reference {ours['recall']} vs hnswlib {np.round(theirs, 4)}"
    # The cost is far below brute force and grows with ef.
    assert np.all(np.diff(ours["distances_per_query"]) > 0)
    assert ours["distances_per_query"][0] < n / 5
    # Reachability is not guaranteed (a shrink can drop a node's last in-link), but rare:
    # here 1 of the 1500 nodes cannot be reached from the entry point at layer 0.
    assert _reachable_at_layer0(index) >= n - 3


def test_exact_at_ef_n_equals_sklearn():
    from sklearn.neighbors import NearestNeighbors

    X, Q = ref.gaussian_data(400, 6, 3), ref.gaussian_data(20, 6, 4)
    index = ref.HNSW(6, M=6, ef_construction=40, seed=3)
    index.add(X)
    assert _reachable_at_layer0(index) == 400
    sk_d, sk_i = NearestNeighbors(n_neighbors=7, algorithm="brute").fit(X).kneighbors(Q)
    for q, want_i, want_d in zip(Q, sk_i, sk_d):
        got_i, got_d = index.search(q, 7, ef=400)
        np.testing.assert_array_equal(got_i, want_i)
        np.testing.assert_allclose(got_d, want_d, rtol=1e-12)


def test_index_graph_invariants_and_counter():
    X = ref.gaussian_data(600, 10, 5)
    index = ref.HNSW(10, M=5, ef_construction=30, seed=5)
    index.add(X)
    assert index.n == 600 and len(index.levels) == 600
    assert index.levels[index.entry_point] == max(index.levels) == len(index.graph) - 1
    for lc, layer in enumerate(index.graph):
        assert sorted(layer) == [i for i in range(600) if index.levels[i] >= lc]
        bound = 10 if lc == 0 else 5
        for node, links in layer.items():
            assert len(links) <= bound and node not in links and len(set(links)) == len(links)
            assert all(index.levels[e] >= lc for e in links)
    assert max(len(v) for v in index.graph[0].values()) > 5  # layer 0 uses its 2M
    # The counter counts exactly the distances the search asks for, each node at most once.
    asked = []
    original = index.distances

    def recording(x, ids):
        asked.extend(np.asarray(ids).tolist())
        return original(x, ids)

    index.distances = recording
    before = index.n_distance
    index.search(ref.gaussian_data(1, 10, 6)[0], 10, ef=30)
    assert index.n_distance - before == len(asked)
    # Each layer is a separate search: a node is evaluated at most once per layer it lives on.
    counts = np.bincount(asked, minlength=600)
    assert np.all(counts <= np.array(index.levels) + 1)


def test_simple_selection_is_a_valid_option():
    index = ref.HNSW(4, M=4, ef_construction=20, seed=0, heuristic=False)
    index.add(ref.gaussian_data(200, 4, 0))
    for layer_number, layer in enumerate(index.graph):
        assert all(len(v) <= ref.max_connections(layer_number, 4) for v in layer.values())


def test_search_on_tiny_and_empty_indexes():
    index = ref.HNSW(3, M=4, ef_construction=8)
    ids, d = index.search(np.zeros(3), 5)
    assert ids.shape == (0,) and d.shape == (0,)
    index.add(np.eye(3))
    ids, d = index.search(np.zeros(3), 5, ef=1)
    assert sorted(ids.tolist()) == [0, 1, 2] and np.allclose(d, 1.0)


# ----------------------------------------------------------------------------------------------
# SEARCH-LAYER and the heuristic: properties on random inputs
# ----------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 25), ef=st.integers(1, 30))
def test_search_layer_on_complete_graph_is_exact(seed, n, ef):
    rng = np.random.default_rng(seed)
    pts, q = rng.standard_normal((n, 3)), rng.standard_normal(3)
    links = {i: [j for j in range(n) if j != i] for i in range(n)}
    calls = []

    def distance(ids):
        calls.extend(np.asarray(ids).tolist())
        return np.sqrt(((pts[ids] - q) ** 2).sum(1))

    got = ref.search_layer(distance, [int(rng.integers(n))], ef, links)
    d = np.sqrt(((pts - q) ** 2).sum(1))
    want = sorted(zip(d.tolist(), range(n)))[:ef]
    assert [e for _, e in got] == [e for _, e in want]
    assert sorted(calls) == list(range(n))  # every node evaluated exactly once


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), ef=st.integers(1, 12))
def test_search_layer_properties_on_sparse_graphs(seed, ef):
    rng = np.random.default_rng(seed)
    n = 40
    pts, q = rng.standard_normal((n, 2)), rng.standard_normal(2)
    links = {i: rng.choice(np.delete(np.arange(n), i), 3, replace=False).tolist() for i in range(n)}
    calls = []

    def distance(ids):
        calls.extend(np.asarray(ids).tolist())
        return np.sqrt(((pts[ids] - q) ** 2).sum(1))

    got = ref.search_layer(distance, [0, 1], ef, links)
    assert 1 <= len(got) <= ef
    assert [d for d, _ in got] == sorted(d for d, _ in got)
    assert len(calls) == len(set(calls))
    # W is the ef nearest of the nodes it evaluated.
    evaluated = sorted((float(np.sqrt(((pts[i] - q) ** 2).sum())), i) for i in set(calls))
    assert [e for _, e in got] == [e for _, e in evaluated[: len(got)]]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(1, 10), n=st.integers(1, 30))
def test_heuristic_properties(seed, m, n):
    rng = np.random.default_rng(seed)
    vectors, q = rng.standard_normal((n, 4)), rng.standard_normal(4)
    cands = [(float(np.sqrt(((v - q) ** 2).sum())), i) for i, v in enumerate(vectors)]
    kept = ref.select_neighbors_heuristic(cands, m, vectors)
    ordered = [e for _, e in sorted(cands)]
    assert 1 <= len(kept) <= m and kept[0] == ordered[0]
    assert kept == [e for e in ordered if e in set(kept)]  # scan order
    dq = dict((e, d) for d, e in cands)
    for i, e in enumerate(kept):  # every kept e is closer to q than to the earlier kept ones
        assert all(dq[e] < np.linalg.norm(vectors[e] - vectors[r]) for r in kept[:i])
    # Every dropped candidate scanned before the list filled up is covered by a kept one.
    last = ordered.index(kept[-1]) if len(kept) == m else len(ordered) - 1
    for e in ordered[: last + 1]:
        if e not in kept:
            assert any(np.linalg.norm(vectors[e] - vectors[r]) <= dq[e] for r in kept)
    assert ref.select_neighbors_simple(cands, m) == ordered[:m]


def test_heuristic_hand_example_of_the_lesson():
    v = np.array([[1.0, 0.0], [1.1, 0.1], [0.0, 1.0]])
    cands = [(float(np.hypot(*x)), i) for i, x in enumerate(v)]
    assert ref.select_neighbors_heuristic(cands, 3, v) == [0, 2]


def test_recall_is_ann_benchmarks_formula():
    rng = np.random.default_rng(0)
    true = np.sort(rng.random((20, 12)), axis=1)
    found = np.sort(true + rng.choice([0.0, 0.0009, 0.002, 0.5], size=true.shape), axis=1)
    for k in (1, 5, 10):
        got = ref.recall_at_k(found, true, k)
        # ann-benchmarks: get_recall_values with knn_threshold (true k-th distance + epsilon).
        want = [sum(d <= true[i][k - 1] + 1e-3 for d in found[i][:k]) / k for i in range(len(true))]
        np.testing.assert_allclose(got, want, rtol=0, atol=0)


# ----------------------------------------------------------------------------------------------
# The lab's files
# ----------------------------------------------------------------------------------------------


def test_reference_imports_no_heavy_libraries():
    code = (
        "import importlib.util, sys; spec = importlib.util.spec_from_file_location('h', sys.argv[1]); "
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); "
        "assert 'torch' not in sys.modules and 'matplotlib' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code, str(LAB / "hnsw.py")], check=True)


def test_stub_imports_and_raises():
    from course.labs import markers

    namespace: dict = {"__name__": "hnsw_stub"}
    exec(compile(markers.make_stub((LAB / "hnsw.py").read_text()), "hnsw_stub.py", "exec"), namespace)
    for call in (lambda: namespace["level_multiplier"](4), lambda: namespace["max_connections"](0, 4),
                 lambda: namespace["HNSW"](3), lambda: namespace["recall_at_k"](np.ones((1, 1)), np.ones((1, 1)), 1)):
        with pytest.raises(NotImplementedError):
            call()


def _graded_tests():
    from course.grading.testing import collect

    return collect(_load(LAB / "test_hnsw.py", "hnsw_tests_under_test"))


def test_points_match_lab_toml():
    toml = tomllib.loads((LAB / "lab.toml").read_text())
    tests = _graded_tests()
    for task in toml["task"]:
        points = sum(t.points for t in tests if t.task == task["number"])
        assert points == task["points"], f"task {task['number']}: tests give {points}, lab.toml {task['points']}"
        assert all(float(t.points).is_integer() for t in tests)
    assert {t.task for t in tests} == {task["number"] for task in toml["task"]}


def test_lesson_lists_tasks_and_cards():
    lesson = (LAB / "README.md").read_text()
    toml = tomllib.loads((LAB / "lab.toml").read_text())
    sections = re.findall(r"^## (.+)$", lesson, flags=re.M)
    assert sections == ["Objectives", "Background", "Tasks", "How to run", "Figures", "Cards"]
    for task in toml["task"]:
        assert f"### Task {task['number']}: {task['title']}" in lesson
    listed = re.findall(r"^- `([a-z0-9-]+)`$", lesson.split("## Cards")[1], flags=re.M)
    cards = (REPO / "cards" / "hnsw.md").read_text()
    ids = re.findall(r"^## ([a-z0-9-]+)$", cards, flags=re.M)
    assert listed == ids and len(ids) >= 10 and all(i.startswith("hnsw-") for i in ids)
    for image in re.findall(r"\(images/([^)]+)\)", cards):
        assert (REPO / "cards" / "images" / image).is_file(), image


def test_hints_cover_every_task():
    hints = (LAB / "hints.md").read_text()
    for task in tomllib.loads((LAB / "lab.toml").read_text())["task"]:
        assert f"## Task {task['number']}" in hints


def test_make_figures_small(tmp_path):
    paths = ref.make_figures(tmp_path, sizes=(60, 120), efs=(10, 20), n_queries=8, ef_construction=16)
    assert [p.name for p in paths] == ["hnsw-recall-vs-ef.png", "hnsw-cost-vs-n.png"]
    assert all(p.is_file() and p.stat().st_size > 1000 for p in paths)
    data = ref.figure_data(sizes=(60, 120), efs=(10, 20), n_queries=8, ef_construction=16)
    np.testing.assert_array_equal(data["cost_brute"], [60, 120])
    assert np.all(data["cost_hnsw"] <= data["cost_brute"] + 8) and data["recall"].shape == (2,)
    drawn = ref.plot_cost_vs_n(data, tmp_path / "c.png")
    np.testing.assert_array_equal(drawn["n"], data["n"])


def test_card_images_are_committed_and_small():
    for name in ("hnsw-recall-vs-ef.png", "hnsw-cost-vs-n.png"):
        path = REPO / "cards" / "images" / name
        assert path.is_file() and path.stat().st_size < 60_000


def test_benchmark_runs_quickly():
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "hnsw.py"), "--quick"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    assert "recall@10" in out and "brute" in out and "hnswlib" in out
