"""Graded tests of the lab ``hnsw``.

Each test is a probe: it calls your module on fixed, seeded inputs and returns plain data;
the check judges that data. Public tests use hand-computed values and properties (recall
floors, degree bounds, exactness at ef >= N) whose truth the check recomputes itself with
brute force; hidden tests may compare with the reference solution.

Run locally: ``pytest test_hnsw.py`` (imports ``hnsw.py`` from this folder).
"""

import math

import numpy as np

from course.testing import REFERENCE, assert_close, graded

# ----------------------------------------------------------------------------------------------
# Shared helpers (trusted side and probes alike)
# ----------------------------------------------------------------------------------------------

_INDEXES = {}


def _data(n, dim, seed):
    """Seeded standard-normal vectors: the same arrays in the probe and in the check."""
    return np.random.default_rng(seed).standard_normal((n, dim))


def _index(lab, n, dim, M, ef_construction, seed=0):
    """Build (once per module and setting) an index of n seeded Gaussian vectors."""
    key = (id(lab), n, dim, M, ef_construction, seed)
    if key not in _INDEXES:
        index = lab.HNSW(dim, M=M, ef_construction=ef_construction, seed=seed)
        index.add(_data(n, dim, seed))
        _INDEXES[key] = index
    return _INDEXES[key]


def _true_knn(n, dim, seed, queries, k):
    """Exact neighbours by brute force, computed here (never by the code under test)."""
    data = _data(n, dim, seed)
    d = np.sqrt(((queries[:, None, :] - data[None, :, :]) ** 2).sum(-1))
    ids = np.argsort(d, axis=1, kind="stable")[:, :k]
    return ids, np.take_along_axis(d, ids, axis=1)


def _recall(found_d, true_d, k):
    """ann-benchmarks recall@k: found distances <= true k-th distance + 1e-3, over k."""
    found = np.asarray(found_d, dtype=float)[:, :k]
    return (found <= true_d[:, k - 1 : k] + 1e-3).sum(axis=1) / k


def _search_all(index, queries, k, ef):
    """Distances (padded with inf) of index.search for each query, and the counter's rise."""
    before = index.n_distance
    found = np.full((len(queries), k), np.inf)
    for i, q in enumerate(queries):
        _, d = index.search(q, k, ef)
        d = np.asarray(d, dtype=float)[:k]
        found[i, : len(d)] = d
    return found, (index.n_distance - before) / len(queries)


# The hand-made layer of the Task 2 tests: points on a line, the query at 0.
#   node:      0     1     2     3     4
#   position: 3.0   4.0  -0.5   0.2   7.0
# Links: 0-1, 0-4, 1-2, 2-3, 3-0 (a cycle through 0, so a missing visited set shows).
_LINE = np.array([3.0, 4.0, -0.5, 0.2, 7.0])
_LINE_LINKS = {0: [1, 4], 1: [0, 2], 2: [1, 3], 3: [2, 0], 4: [0]}


def _line_search(lab, entry_points, ef):
    calls = []

    def distance(ids):
        ids = np.asarray(ids, dtype=np.int64)
        calls.extend(np.atleast_1d(ids).tolist())
        return np.abs(_LINE[ids] - 0.0)

    found = lab.search_layer(distance, entry_points, ef, _LINE_LINKS)
    return {"found": [[float(d), int(e)] for d, e in found], "evaluated": sorted(calls)}


# ----------------------------------------------------------------------------------------------
# Task 1: levels
# ----------------------------------------------------------------------------------------------


@graded(task=1, points=1, expect=[1 / math.log(2), 1 / math.log(8), 1 / math.log(16)], rtol=1e-12)
def test_level_multiplier(lab):
    """mL = 1/ln(M) for M = 2, 8, 16 (not 1/ln 2 for every M)."""
    return [lab.level_multiplier(M) for M in (2, 8, 16)]


def _levels_are_ints(got):
    # -ln(0.2)/ln 2 = 2.32 -> 2; u = 1 -> 0; -ln(0.01)/ln 4 = 3.32 -> 3; 0.5 * -ln(1e-6) = 6.91 -> 6;
    # -ln(0.9) * 1 = 0.105 -> 0
    expected = [2, 0, 3, 6, 0]
    if not isinstance(got, list) or not all(type(v) is int for v in got):
        raise AssertionError(f"random_level must return Python ints, got {got!r}")
    assert_close(got, expected, name="levels floor(-ln(u) * mL)")


@graded(task=1, points=2, check=_levels_are_ints)
def test_random_level_hand(lab):
    """floor(-ln(u) * mL) on five hand-computed cases."""
    cases = [(0.2, 1 / math.log(2)), (1.0, 1 / math.log(16)), (0.01, 1 / math.log(4)), (1e-6, 0.5), (0.9, 1.0)]
    return [lab.random_level(u, mL) for u, mL in cases]


_LEVEL_M, _LEVEL_N = 8, 40000


def _level_fractions(got):
    n, M = _LEVEL_N, _LEVEL_M
    levels = np.asarray(got, dtype=float)
    if levels.shape != (n,):
        raise AssertionError(f"expected {n} levels (one per u), got shape {levels.shape}")
    for j in (1, 2):
        p = M ** (-j)  # P(level >= j) = M^-j when mL = 1/ln M
        tol = 4 * math.sqrt(p * (1 - p) / n)
        fraction = float(np.mean(levels >= j))  # counted here, in the grader
        if abs(fraction - p) > tol:
            raise AssertionError(
                f"fraction of levels >= {j} with M = {M}: expected {p:.5f} +- {tol:.5f} "
                f"(binomial, 4 sigma, n = {n}), got {fraction:.5f}"
            )


@graded(task=1, points=2, check=_level_fractions)
def test_level_fraction(lab):
    """With M = 8, about 1/8 of the levels are >= 1 and 1/64 are >= 2."""
    u = 1.0 - np.random.default_rng(0).random(_LEVEL_N)  # uniform on (0, 1]
    mL = lab.level_multiplier(_LEVEL_M)
    return [lab.random_level(float(x), mL) for x in u]


# ----------------------------------------------------------------------------------------------
# Task 2: SEARCH-LAYER
# ----------------------------------------------------------------------------------------------


@graded(task=2, points=3, expect={"found": [[0.2, 3], [0.5, 2]], "evaluated": [0, 1, 2, 3, 4]}, rtol=1e-12)
def test_search_layer_escapes_local_minimum(lab):
    """ef = 2 from node 0 walks past the worse node 1 to the true nearest nodes 3 and 2,
    computing each node's distance exactly once."""
    return _line_search(lab, [0], 2)


@graded(task=2, points=1, expect={"found": [[3.0, 0]], "evaluated": [0, 1, 4]}, rtol=1e-12)
def test_search_layer_greedy_stops(lab):
    """ef = 1 is greedy: node 0's neighbours (4.0 and 7.0) are both worse, so it stops at 0."""
    return _line_search(lab, [0], 1)


@graded(task=2, points=1, expect={"found": [[0.2, 3], [0.5, 2]], "evaluated": [0, 1, 2, 3, 4]}, rtol=1e-12)
def test_search_layer_entry_points(lab):
    """Several entry points (one repeated): each is evaluated once, W keeps the ef nearest."""
    return _line_search(lab, [4, 1, 4, 0], 2)


def _complete_graph_exact(got):
    pts = _data(8, 2, 3)
    q = np.array([0.25, -0.5])
    d = np.sqrt(((pts - q) ** 2).sum(1))
    order = np.argsort(d)[:3]
    expected = [[float(d[i]), int(i)] for i in order]
    assert_close(got, expected, rtol=1e-9, name="search_layer on a complete graph, ef = 3")


@graded(task=2, points=2, check=_complete_graph_exact)
def test_search_layer_complete_graph(lab):
    """On a complete graph of 8 points, ef = 3 returns the 3 nearest, sorted, as (distance, id)."""
    pts = _data(8, 2, 3)
    q = np.array([0.25, -0.5])
    links = {i: [j for j in range(8) if j != i] for i in range(8)}

    def distance(ids):
        return np.sqrt(((pts[np.asarray(ids, dtype=np.int64)] - q) ** 2).sum(1))

    return [[float(d), int(e)] for d, e in lab.search_layer(distance, [5], 3, links)]


# A layer with tied distances: positions on a line, the query at 0; nodes 2 and 3 tie at 1.0, 0 and 1 at 2.0.
_TIE_POS = np.array([2.0, -2.0, 1.0, -1.0, 3.0, 0.5])
_TIE_LINKS = {0: [1, 2], 1: [0, 3], 2: [0, 5, 4], 3: [1, 5], 4: [2], 5: [2, 3]}


@graded(task=2, points=1, expect={"ef=1": [[[0.5, 5]], 6], "ef=2": [[[0.5, 5], [1.0, 2]], 6],
                                  "ef=3": [[[0.5, 5], [1.0, 2], [1.0, 3]], 6],
                                  "re-reached": [[[0.4, 2], [0.5, 1], [1.0, 0]], 4], "each node once": True},
        rtol=1e-12)
def test_search_layer_ties_and_visits(lab):
    """Ties are sorted by id; each node's distance is computed at most once (a visited set), even
    when several expanded nodes link to it."""
    out, once = {}, True
    for ef in (1, 2, 3):
        calls = []

        def distance(ids):
            ids = np.asarray(ids, dtype=np.int64)
            calls.extend(np.atleast_1d(ids).tolist())
            return np.abs(_TIE_POS[ids])

        found = lab.search_layer(distance, [0], ef, _TIE_LINKS)
        out[f"ef={ef}"] = [[[float(d), int(e)] for d, e in found], len(calls)]
        once = once and len(calls) == len(set(calls))
    # A node reached again from a second expanded node (2 links back to 1 and 3) is not evaluated twice.
    pos = np.array([1.0, 0.5, 0.4, 5.0])
    calls = []

    def distance2(ids):
        ids = np.asarray(ids, dtype=np.int64)
        calls.extend(np.atleast_1d(ids).tolist())
        return np.abs(pos[ids])

    found = lab.search_layer(distance2, [0], 3, {0: [1, 2, 3], 1: [2, 3], 2: [1, 3], 3: []})
    out["re-reached"] = [[[float(d), int(e)] for d, e in found], len(calls)]
    out["each node once"] = once and len(calls) == len(set(calls))
    return out


# ----------------------------------------------------------------------------------------------
# Task 3: neighbour selection
# ----------------------------------------------------------------------------------------------


@graded(task=3, points=1, expect=[3, 2, 5])
def test_select_simple(lab):
    """The simple rule keeps the M = 3 nearest ids, nearest first."""
    return lab.select_neighbors_simple([(2.0, 7), (0.5, 3), (1.5, 5), (0.7, 2)], 3)


@graded(task=3, points=2, expect={"M=3": [0, 2], "M=1": [0]})
def test_heuristic_hand_example(lab):
    """q = (0,0); candidates (1,0), (1.1,0.1), (0,1): (1.1,0.1) is closer to the kept (1,0)
    (distance 0.14) than to q (1.10), so it is dropped; (0,1) is kept."""
    vectors = np.array([[1.0, 0.0], [1.1, 0.1], [0.0, 1.0]])
    cands = [(float(np.hypot(*v)), i) for i, v in enumerate(vectors)]
    return {"M=3": sorted(lab.select_neighbors_heuristic(cands, 3, vectors)),
            "M=1": lab.select_neighbors_heuristic(cands, 1, vectors)}


@graded(task=3, points=2, expect=[0, 2])
def test_heuristic_two_directions(lab):
    """q = (0,0); kept r = (1,0). e = (1.5,1.2) is 1.92 from q but 1.30 from r: dropped.
    f = (-2,0.1), 2.00 from q and 3.00 from r: kept. Compare d(e,q) with d(e,r), not with d(r,q)."""
    vectors = np.array([[1.0, 0.0], [1.5, 1.2], [-2.0, 0.1]])
    cands = [(float(np.hypot(*v)), i) for i, v in enumerate(vectors)]
    return lab.select_neighbors_heuristic(cands, 5, vectors)


@graded(task=3, points=1, expect={"tie dropped": [0, 2], "just closer kept": [0, 1, 2]})
def test_heuristic_tie_is_dropped(lab):
    """The rule is strict, d(e, q) < d(e, r): a candidate exactly as close to a kept neighbour as to q is dropped."""
    # q = vectors[3] at the origin; r = node 0 at (1, 0) is kept first; node 1 at (0.5, 1) lies on the
    # bisector of q and r (distance sqrt(1.25) to both); node 2 at (-2, 0) points the other way.
    vectors = np.array([[1.0, 0.0], [0.5, 1.0], [-2.0, 0.0], [0.0, 0.0]])
    tie = lab.select_neighbors_heuristic([(2.0, 2), (float(np.sqrt(1.25)), 1), (1.0, 0)], 3, vectors)
    vectors2 = vectors.copy()
    vectors2[1] = [0.49, 1.0]  # now a little closer to q than to r
    closer = lab.select_neighbors_heuristic([(2.0, 2), (float(np.sqrt(1.2401)), 1), (1.0, 0)], 3, vectors2)
    return {"tie dropped": [int(e) for e in tie], "just closer kept": [int(e) for e in closer]}


# ----------------------------------------------------------------------------------------------
# Task 4: the index
# ----------------------------------------------------------------------------------------------


@graded(task=4, points=1, expect=[10, 5, 8, 4])
def test_max_connections(lab):
    """M_max0 = 2M at layer 0, M_max = M above."""
    return [lab.max_connections(layer, M) for layer, M in ((0, 5), (1, 5), (3, 8), (0, 2))]


def _shrink_smallest_two(calls):
    def shrink(e, links):
        calls.append([int(e), [int(x) for x in links]])
        return sorted(links)[:2]

    return shrink


@graded(task=4, points=2, expect={"layer": {"0": [1, 2], "1": [0, 4], "2": [0], "3": [], "4": [0, 1]},
                                  "shrink_calls": [[0, [1, 2, 4]]]})
def test_link_neighbors_hand(lab):
    """Node 4 links to 0 and 1; both get the reverse link; 0 then has 3 > m_max = 2 links
    and is shrunk (here: keep the two smallest ids), 1 has 2 and is left alone."""
    layer = {0: [1, 2], 1: [0], 2: [0], 3: [], 4: []}
    calls = []
    lab.link_neighbors(layer, 4, [0, 1], 2, _shrink_smallest_two(calls))
    return {"layer": {str(k): [int(x) for x in v] for k, v in sorted(layer.items())}, "shrink_calls": calls}


def _graph_probe(index):
    return {
        "M": index.M,
        "n": index.n,
        "levels": [int(v) for v in index.levels],
        "entry_point": int(index.entry_point),
        "layers": [[[int(node), [int(e) for e in nbrs]] for node, nbrs in sorted(layer.items())]
                   for layer in index.graph],
    }


def _graph_invariants(got):
    M, n, levels = got["M"], got["n"], got["levels"]
    if len(levels) != n:
        raise AssertionError(f"expected {n} levels (one per node), got {len(levels)}")
    top = max(levels)
    if len(got["layers"]) != top + 1:
        raise AssertionError(f"expected {top + 1} layers (max level {top}), got {len(got['layers'])}")
    if levels[got["entry_point"]] != top:
        raise AssertionError(f"the entry point {got['entry_point']} has level {levels[got['entry_point']]}, "
                             f"expected the top level {top}")
    for lc, layer in enumerate(got["layers"]):
        nodes = [node for node, _ in layer]
        expected_nodes = [i for i in range(n) if levels[i] >= lc]
        if nodes != expected_nodes:
            raise AssertionError(f"layer {lc}: expected the {len(expected_nodes)} nodes with level >= {lc}, "
                                 f"got {len(nodes)} nodes")
        bound = 2 * M if lc == 0 else M
        members = set(nodes)
        for node, nbrs in layer:
            if len(nbrs) > bound:
                raise AssertionError(f"layer {lc}: node {node} has {len(nbrs)} links, expected at most {bound} "
                                     f"({'2M' if lc == 0 else 'M'} with M = {M})")
            if node in nbrs:
                raise AssertionError(f"layer {lc}: node {node} links to itself")
            if len(set(nbrs)) != len(nbrs):
                raise AssertionError(f"layer {lc}: node {node} has duplicate links {nbrs}")
            stray = [e for e in nbrs if e not in members]
            if stray:
                raise AssertionError(f"layer {lc}: node {node} links to {stray}, which are not on layer {lc}")


@graded(task=4, points=3, check=_graph_invariants)
def test_graph_invariants(lab):
    """300 Gaussian vectors (d = 8, M = 6, efConstruction = 40): layer l holds the nodes with level >= l; degrees
    <= 2M at layer 0 and <= M above; no self-loops, no duplicate links; entry point on top."""
    return _graph_probe(_index(lab, 300, 8, 6, 40))


def _uses_2m(got):
    M = got["M"]
    largest = max(len(nbrs) for _, nbrs in got["layers"][0])
    if not M < largest <= 2 * M:
        raise AssertionError(f"the largest layer-0 degree should exceed M = {M} (the limit there is 2M = {2 * M}) "
                             f"on this data, got {largest}")


@graded(task=4, points=1, check=_uses_2m)
def test_layer0_uses_2m(lab):
    """Reverse links fill layer-0 lists beyond M: the limit there is 2M, not M."""
    return _graph_probe(_index(lab, 300, 8, 6, 40))


def _symmetric(got):
    for lc, layer in enumerate(got["layers"]):
        links = {node: set(nbrs) for node, nbrs in layer}
        for node, nbrs in links.items():
            for e in nbrs:
                if node not in links.get(e, ()):
                    raise AssertionError(f"layer {lc}: {node} -> {e} has no reverse link {e} -> {node} "
                                         f"(no list overflowed, so every link should go both ways)")
    if not any(got["layers"][0][i][1] for i in range(len(got["layers"][0]))):
        raise AssertionError("layer 0 has no links at all")


@graded(task=4, points=2, check=_symmetric)
def test_links_symmetric_small(lab):
    """9 vectors with M = 8: no list reaches its limit, so every link has its reverse."""
    return _graph_probe(_index(lab, 9, 3, 8, 16))


def _exact(got):
    queries = _data(8, 8, 99)
    ids, d = _true_knn(300, 8, 0, queries, 5)
    for i, row in enumerate(got["ids"]):
        if len(row) != 5:
            raise AssertionError(f"search(q, k=5, ef=300) for query {i}: expected 5 results, got {len(row)}")
    assert_close(np.asarray(got["distances"], dtype=float), d, rtol=1e-9, name="distances with ef = N")
    assert_close(np.asarray(got["ids"]), ids, name="ids with ef = N")


@graded(task=4, points=2, check=_exact)
def test_exact_when_ef_covers_all(lab):
    """With ef = N = 300 the layer-0 search reaches every node: the 5 nearest are exact."""
    index = _index(lab, 300, 8, 6, 40)
    out = [index.search(q, 5, 300) for q in _data(8, 8, 99)]
    return {"ids": [np.asarray(i).tolist() for i, _ in out], "distances": [np.asarray(d).tolist() for _, d in out]}


def _recall_floor(got):
    queries = _data(50, 8, 7)
    _, true_d = _true_knn(500, 8, 0, queries, 10)
    recall = float(_recall(np.asarray(got), true_d, 10).mean())
    if recall < 0.9:
        raise AssertionError(f"mean recall@10 at ef = 20 (N = 500, d = 8, M = 6, efConstruction = 40): "
                             f"expected at least 0.9, got {recall:.3f}")


@graded(task=4, points=2, check=_recall_floor)
def test_recall_floor(lab):
    """N = 500, d = 8, M = 6, efConstruction = 40: recall@10 at ef = 20 is at least 0.9."""
    found, _ = _search_all(_index(lab, 500, 8, 6, 40), _data(50, 8, 7), 10, 20)
    return found


def _cost_far_below_n(got):
    n = 500
    if not 10 <= got < n / 3:
        raise AssertionError(f"distance computations per query at ef = 10 (N = {n}): expected between k = 10 "
                             f"and N/3 = {n / 3:.0f}, got {got:.1f} (brute force needs {n})")


@graded(task=4, points=1, check=_cost_far_below_n)
def test_distance_computations_far_below_n(lab):
    """The search counts its distance computations (index.n_distance) and needs far fewer than N."""
    _, cost = _search_all(_index(lab, 500, 8, 6, 40), _data(50, 8, 7), 10, 10)
    return float(cost)


@graded(task=4, points=1, expect={"levels": [1, 0, 1, 0, 2, 2], "entry points": [0, 0, 0, 0, 4, 4],
                                  "layer 2": [4, 5], "empty ids dtype": "int64", "empty shapes": [[0], [0]]})
def test_insert_given_levels_and_empty_search(lab):
    """insert(x, level=l) uses the given level; the entry point moves only to a node whose level is ABOVE the
    current top (a tie keeps the old one). Searching an empty index returns empty arrays, ids as int64."""
    index = lab.HNSW(2, M=2, ef_construction=4, seed=0)
    entries = []
    for i, level in enumerate([1, 0, 1, 0, 2, 2]):
        index.insert(np.array([float(i), float(i % 3)]), level=level)
        entries.append(int(index.entry_point))
    ids, d = lab.HNSW(3).search(np.zeros(3), 2)
    return {"levels": [int(v) for v in index.levels], "entry points": entries,
            "layer 2": sorted(int(node) for node in index.graph[2]),
            "empty ids dtype": str(np.asarray(ids).dtype), "empty shapes": [list(np.shape(ids)), list(np.shape(d))]}


# ----------------------------------------------------------------------------------------------
# Task 5: measurement
# ----------------------------------------------------------------------------------------------

_S2, _S = math.sqrt(2), math.sqrt


@graded(task=5, points=1, rtol=1e-9, expect={
    "ids": [[0, 1, 4, 2], [3, 1, 4, 0], [2, 4, 0, 1]],
    "distances": [[0.0, 1.0, _S2, 2.0], [_S(0.02), _S(3.62), _S(4.42), _S(8.42)], [0.1, _S(1.81), 1.9, _S(4.61)]],
})
def test_brute_force_hand(lab):
    """Five 2-D points, three queries, k = 4: exact ids and distances, nearest first."""
    vectors = np.array([[0, 0], [1, 0], [0, 2], [3, 0], [1, 1]], dtype=float)
    queries = np.array([[0, 0], [2.9, 0.1], [0, 1.9]])
    ids, d = lab.brute_force_knn(vectors, queries, 4)
    return {"ids": np.asarray(ids), "distances": np.asarray(d, dtype=float)}


@graded(task=5, points=2, rtol=1e-12, expect={"k=3": [2 / 3, 1 / 3, 1.0], "k=2": [1.0, 0.5, 1.0]})
def test_recall_hand(lab):
    """Threshold = true k-th distance + 1e-3: 0.35 > 0.301 misses, 0.3005 <= 0.301 hits (a tie
    within epsilon counts); with k = 2 only the first two columns count."""
    found = np.array([[0.1, 0.2, 0.35], [0.1, 0.5, 0.9], [0.2, 0.1, 0.3005]])
    true = np.array([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3]])
    return {"k=3": np.asarray(lab.recall_at_k(found, true, 3), dtype=float),
            "k=2": np.asarray(lab.recall_at_k(found, true, 2), dtype=float)}


_EFS = [10, 20, 40, 400]


def _curve(got):
    if list(np.asarray(got["ef"]).tolist()) != _EFS:
        raise AssertionError(f"evaluate()['ef']: expected {_EFS}, got {got['ef']}")
    recall = np.asarray(got["recall"], dtype=float)
    cost = np.asarray(got["distances_per_query"], dtype=float)
    for name, arr in (("recall", recall), ("distances_per_query", cost)):
        if arr.shape != (len(_EFS),):
            raise AssertionError(f"evaluate()['{name}']: expected shape ({len(_EFS)},), got {arr.shape}")
    if np.any(np.diff(recall) < -0.01):
        raise AssertionError(f"mean recall should not fall as ef grows (slack 0.01): got {np.round(recall, 4)}")
    if np.any(np.diff(cost) <= 0):
        raise AssertionError(f"distance computations per query should grow with ef: got {np.round(cost, 1)}")
    if abs(recall[-1] - 1.0) > 1e-12:
        raise AssertionError(f"recall at ef = N = 400 should be 1.0 (exact search), got {recall[-1]}")
    if not 0.5 < recall[0] < 1.0 + 1e-12 or not 10 <= cost[0] < 400:
        raise AssertionError(f"at ef = 10: expected recall in (0.5, 1] and 10 <= cost < N = 400, "
                             f"got recall {recall[0]:.3f}, cost {cost[0]:.1f}")


@graded(task=5, points=2, check=_curve)
def test_evaluate_curve(lab):
    """evaluate() on N = 400 (d = 5, M = 8, efConstruction = 32): recall non-decreasing in ef, cost increasing,
    exact at ef = N."""
    index = lab.HNSW(5, M=8, ef_construction=32, seed=1)
    index.add(_data(400, 5, 1))
    queries = _data(100, 5, 2)
    _, true_d = _true_knn(400, 5, 1, queries, 10)
    return lab.evaluate(index, queries, true_d, 10, _EFS)


def _grid_ties(got):
    grid = np.array([[x, y] for x in range(-3, 4) for y in range(-3, 4)], dtype=float)
    d = np.sqrt((grid**2).sum(1))
    order = np.argsort(d, kind="stable")[:10]
    assert_close(got["ids"], [order.tolist()],
                 name="brute_force_knn ids on a grid with many equal distances (ties by id)")
    assert_close(got["distances"], [d[order].tolist()], rtol=1e-12, name="brute_force_knn distances")


@graded(task=5, points=1, check=_grid_ties)
def test_brute_force_ties_by_id(lab):
    """49 grid points, query at the centre, k = 10: equal distances are ordered by id (a stable sort)."""
    grid = np.array([[x, y] for x in range(-3, 4) for y in range(-3, 4)], dtype=float)
    ids, d = lab.brute_force_knn(grid, np.zeros((1, 2)), 10)
    return {"ids": np.asarray(ids), "distances": np.asarray(d, dtype=float)}


@graded(task=5, points=1, rtol=1e-12, expect={"at threshold (epsilon 0.5)": [1.0], "default epsilon": [0.5],
                                              "missing results are misses": [0.5, 0.0]})
def test_recall_epsilon_and_missing(lab):
    """A found distance exactly at true k-th + epsilon counts (<=); epsilon is a parameter (default 1e-3);
    fewer than k returned columns count as misses."""
    true = np.array([[0.25, 1.0]])
    found = np.array([[1.5, 0.25]])
    return {"at threshold (epsilon 0.5)": np.asarray(lab.recall_at_k(found, true, 2, epsilon=0.5), dtype=float),
            "default epsilon": np.asarray(lab.recall_at_k(found, true, 2), dtype=float),
            "missing results are misses": np.asarray(
                lab.recall_at_k(np.array([[0.1], [5.0]]), np.array([[0.1, 0.2], [0.1, 0.2]]), 2), dtype=float)}


### BEGIN HIDDEN TESTS
@graded(task=2, points=1, expect=REFERENCE, rtol=1e-12)
def test_search_layer_random_graph(lab):
    """A directed 4-NN graph of 60 points in 3-D: the same W as the reference for ef = 5."""
    pts = _data(60, 3, 11)
    d_all = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
    links = {i: [int(j) for j in np.argsort(d_all[i])[1:5]] for i in range(60)}
    q = np.array([0.3, -0.2, 0.5])

    def distance(ids):
        return np.sqrt(((pts[np.asarray(ids, dtype=np.int64)] - q) ** 2).sum(1))

    return [[float(d), int(e)] for d, e in lab.search_layer(distance, [0, 17], 5, links)]


@graded(task=3, points=1, expect=REFERENCE)
def test_heuristic_random(lab):
    """30 random candidates in 5-D, M = 8: the same kept set as the reference."""
    vectors = _data(31, 5, 21)
    base = vectors[30]
    cands = [(float(np.sqrt(((vectors[i] - base) ** 2).sum())), i) for i in range(30)]
    return [int(e) for e in lab.select_neighbors_heuristic(cands, 8, vectors)]


def _close_to_reference(got, ref):
    queries = _data(50, 8, 7)
    _, true_d = _true_knn(500, 8, 0, queries, 10)
    for ef in ("10", "20"):
        mine = float(_recall(np.asarray(got[ef]), true_d, 10).mean())
        theirs = float(_recall(np.asarray(ref[ef]), true_d, 10).mean())
        if mine < theirs - 0.03:
            raise AssertionError(f"recall@10 at ef = {ef}: the reference reaches {theirs:.3f}, yours {mine:.3f} "
                                 f"(more than 0.03 lower)")


@graded(task=4, points=2, check=_close_to_reference)
def test_recall_close_to_reference(lab):
    """N = 500, M = 6, efConstruction = 40: recall@10 at ef 10 and 20 within 0.03 of the reference."""
    index = _index(lab, 500, 8, 6, 40)
    queries = _data(50, 8, 7)
    return {str(ef): _search_all(index, queries, 10, ef)[0] for ef in (10, 20)}


@graded(task=5, points=1, expect=REFERENCE, rtol=1e-12)
def test_brute_force_random(lab):
    """50 points in 5-D, 8 queries, k = 3."""
    ids, d = lab.brute_force_knn(_data(50, 5, 31), _data(8, 5, 32), 3)
    return {"ids": np.asarray(ids), "distances": np.asarray(d, dtype=float)}


@graded(task=5, points=1, expect=REFERENCE, rtol=1e-12)
def test_recall_random(lab):
    """Random found and true distances, k = 5 of 8 columns."""
    rng = np.random.default_rng(41)
    true = np.sort(rng.random((6, 8)), axis=1)
    found = np.sort(true + rng.choice([0.0, 0.0005, 0.3], size=(6, 8)), axis=1)
    return np.asarray(lab.recall_at_k(found, true, 5), dtype=float)

def _graph_sets(index):
    return {"levels": [int(v) for v in index.levels], "entry_point": int(index.entry_point),
            "layers": [[[int(node), sorted(int(e) for e in nbrs)] for node, nbrs in sorted(layer.items())]
                       for layer in index.graph],
            "n_distance": int(index.n_distance)}


@graded(task=4, points=2, expect=REFERENCE, rtol=1e-12)
def test_index_matches_reference(lab):
    """Seeded indexes (several layers; heuristic and simple selection; M = 3 and 5): the same levels, entry
    point, neighbour sets and distance count as the reference; then searches at ef 1, 3, 12 with k = 4,
    the ids, distances and the counter's rise per query; an empty index returns empty arrays."""
    out = {}
    for n, dim, M, efc, heuristic in ((60, 3, 3, 8, True), (45, 4, 5, 12, False)):
        index = lab.HNSW(dim, M=M, ef_construction=efc, seed=n, heuristic=heuristic)
        index.add(_data(n, dim, n + 1))
        out[f"graph n={n}"] = _graph_sets(index)
        for ef in (1, 3, 12):
            rows = []
            for q in _data(4, dim, n + 2):
                before = index.n_distance
                ids, d = index.search(q, 4, ef)
                rows.append([np.asarray(ids).tolist(), np.asarray(d, dtype=float).tolist(), index.n_distance - before])
            out[f"search n={n} ef={ef}"] = rows
    empty = lab.HNSW(3)
    ids, d = empty.search(np.zeros(3), 2)
    out["empty"] = [list(np.shape(ids)), list(np.shape(d))]
    return out


@graded(task=5, points=1, expect=REFERENCE, rtol=1e-12)
def test_evaluate_matches_reference(lab):
    """evaluate on a seeded index: recall and cost per query equal the reference's; with k larger than the
    index, the missing results count as misses."""
    index = lab.HNSW(3, M=4, ef_construction=10, seed=5)
    index.add(_data(40, 3, 6))
    queries = _data(6, 3, 7)
    _, true_d = _true_knn(40, 3, 6, queries, 5)
    small = lab.HNSW(3, M=4, ef_construction=10, seed=5)
    small.add(_data(3, 3, 6))
    _, true_small = _true_knn(40, 3, 6, queries, 5)
    return {"evaluate": lab.evaluate(index, queries, true_d, 5, [1, 4, 40]),
            "fewer nodes than k": lab.evaluate(small, queries, true_small, 5, [8])}

### END HIDDEN TESTS
