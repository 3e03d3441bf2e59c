"""HNSW from the paper: approximate nearest-neighbour search with a layered graph.

This file is the reference solution of the lab ``hnsw``, written as a lesson. It builds a
Hierarchical Navigable Small World index (HNSW; the source set misspells it "HSNW") with
numpy and the standard library, following the algorithms of the paper, and measures it the
way ann-benchmarks does.

HNSW is an *index*: a data structure plus search algorithms. It learns nothing, has no loss
and no training; it answers "which stored vectors are nearest to this query?" approximately,
trading a little recall for far fewer distance computations than a brute-force scan.

Sources:

* Yu. A. Malkov, D. A. Yashunin, "Efficient and robust approximate nearest neighbor search
  using Hierarchical Navigable Small World graphs", arXiv:1603.09320 (IEEE TPAMI 2020).
  Algorithm 1 (INSERT), 2 (SEARCH-LAYER), 3 (SELECT-NEIGHBORS-SIMPLE),
  4 (SELECT-NEIGHBORS-HEURISTIC) and 5 (K-NN-SEARCH).
* hnswlib (github.com/nmslib/hnswlib), the authors' C++ library: M_max0 = 2M, mL = 1/ln(M),
  the search at layer 0 uses max(ef, k). Its "l2" space returns SQUARED distances; this file
  returns plain Euclidean distances (the ordering is the same).
* ann-benchmarks (github.com/erikbern/ann-benchmarks), metrics: recall@k counts a returned
  neighbour as correct when its distance is at most the true k-th distance + 1e-3; the
  hardware-independent cost is the number of distance computations per query.

Conventions of this lab: node ids are 0, 1, 2, ... in insertion order; a layer of the graph
is a dict ``{node: [neighbour ids]}``; distances are Euclidean, float64.
"""

from __future__ import annotations

import heapq
import math
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np


def l2_distances(vectors: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Euclidean distances from each row of ``vectors`` (n, d) to ``x`` (d,): shape (n,)."""
    diff = np.asarray(vectors, dtype=np.float64) - np.asarray(x, dtype=np.float64)
    return np.sqrt(np.einsum("ij,ij->i", diff, diff))


# ---------------------------------------------------------------------------------------------
# Task 1: levels
# ---------------------------------------------------------------------------------------------


def level_multiplier(M: int) -> float:
    """The level normalisation constant of the paper: $m_L = 1/\\ln M$.

    With it the probability that a node reaches layer $l$ or higher is $M^{-l}$, so each
    layer holds about $1/M$ of the nodes of the layer below (and each node has about M
    links there): the layers shrink by the same factor as the fan-out of the graph.
    """
    ### BEGIN SOLUTION (return mL = 1 / ln(M); refuse M < 2, where ln(M) <= 0)
    if M < 2:
        raise ValueError(f"M must be at least 2, got {M}")
    return 1.0 / math.log(M)
    ### END SOLUTION


def random_level(u: float, mL: float) -> int:
    """The top layer of a new node: $l = \\lfloor -\\ln(u)\\, m_L \\rfloor$, $u \\sim U(0, 1]$.

    $-\\ln u$ is Exponential(1), so $P(l \\ge j) = P(u \\le e^{-j/m_L}) = e^{-j/m_L}$, which is
    $M^{-j}$ for $m_L = 1/\\ln M$: a fraction $1/M$ of the nodes reaches layer 1.
    """
    ### BEGIN SOLUTION (floor of -ln(u) * mL, as a Python int)
    # u is in (0, 1], so -ln(u) >= 0 is finite and the level is a non-negative integer.
    return int(math.floor(-math.log(u) * mL))
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 2: SEARCH-LAYER (Algorithm 2)
# ---------------------------------------------------------------------------------------------


def search_layer(
    distance: Callable[[np.ndarray], np.ndarray],
    entry_points: Sequence[int],
    ef: int,
    links: Mapping[int, Sequence[int]],
) -> list[tuple[float, int]]:
    """Best-first search of one layer: the ``ef`` nearest nodes to the query that it finds.

    ``distance(ids)`` returns the distances from the query to the nodes ``ids`` (an int array)
    and counts them; ``links[node]`` lists a node's neighbours on this layer.

    Two heaps (Algorithm 2 of the paper):

    * C, the candidates: a min-heap of nodes still to expand, nearest first;
    * W, the results: a max-heap of the (at most) ef nearest nodes found so far.

    Loop: pop the nearest candidate c. If $d(c, q) > d(f, q)$, with f the FARTHEST element of
    W, stop: every remaining candidate is farther than all results, so expanding it cannot
    improve W. Otherwise evaluate each not-yet-visited neighbour e of c; if W has fewer than
    ef elements or $d(e, q) < d(f, q)$, push e onto C and W and, if W now has ef + 1
    elements, drop its farthest. Each node's distance is computed at most once (a visited
    set). With ef = 1 this is the greedy walk the upper layers use.

    Returns W as a list of ``(distance, id)`` pairs sorted by distance (ties by id).
    """
    ### BEGIN SOLUTION (min-heap C, max-heap W of size ef, visited set; stop when nearest in C > farthest in W)
    # The entry points are visited first; a dict keeps their order and drops duplicates.
    entry = list(dict.fromkeys(int(e) for e in entry_points))
    visited = set(entry)
    d_entry = distance(np.asarray(entry, dtype=np.int64)).tolist()
    candidates = [(d, e) for d, e in zip(d_entry, entry)]  # min-heap on distance
    heapq.heapify(candidates)
    results = [(-d, e) for d, e in zip(d_entry, entry)]  # max-heap: distances negated
    heapq.heapify(results)
    while len(results) > ef:  # more entry points than ef: keep the ef nearest
        heapq.heappop(results)
    while candidates:
        d_c, c = heapq.heappop(candidates)
        # Stop rule: the nearest unexpanded candidate is farther than the farthest result.
        if d_c > -results[0][0]:
            break
        fresh = [e for e in links[c] if e not in visited]
        if not fresh:
            continue
        visited.update(fresh)
        # One batched call per expansion: counted per node, cheaper in numpy than one by one.
        for d_e, e in zip(distance(np.asarray(fresh, dtype=np.int64)).tolist(), fresh):
            if len(results) < ef or d_e < -results[0][0]:
                heapq.heappush(candidates, (d_e, e))
                heapq.heappush(results, (-d_e, e))
                if len(results) > ef:  # keep W bounded: drop the farthest result
                    heapq.heappop(results)
    return sorted((-neg_d, e) for neg_d, e in results)
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 3: neighbour selection (Algorithms 3 and 4)
# ---------------------------------------------------------------------------------------------


def select_neighbors_simple(candidates: Sequence[tuple[float, int]], M: int) -> list[int]:
    """Algorithm 3: the ids of the M candidates nearest to the base element, nearest first.

    ``candidates`` are ``(distance to the base element, id)`` pairs in any order.
    """
    ### BEGIN SOLUTION (sort by distance (ties by id) and keep the first M ids)
    return [e for _, e in sorted(candidates)[:M]]
    ### END SOLUTION


def select_neighbors_heuristic(
    candidates: Sequence[tuple[float, int]], M: int, vectors: np.ndarray
) -> list[int]:
    """Algorithm 4 (without its optional extensions): diverse neighbours.

    Scan the candidates from nearest to farthest from the base element q; keep e only if it
    is closer to q than to every neighbour kept so far,
    $d(e, q) < d(e, r)$ for all kept r; stop at M kept. A candidate that is closer to an
    already kept neighbour r is reachable through r, so a link to it would be redundant;
    the heuristic spends links on other directions instead, which keeps clustered data
    connected. ``vectors[id]`` is a candidate's vector; returns the kept ids in scan order.

    The paper's options extendCandidates and keepPrunedConnections are left out (hnswlib
    leaves them out too).
    """
    ### BEGIN SOLUTION (keep e only if d(e, q) < d(e, r) for every already kept r; at most M)
    kept: list[int] = []
    for d_eq, e in sorted(candidates):
        if len(kept) >= M:
            break
        if kept:
            # Distances from e to the neighbours already kept (not to q: that is d_eq).
            d_er = l2_distances(vectors[kept], vectors[e])
            if not bool(np.all(d_eq < d_er)):
                continue  # some kept r is at least as close to e as q is: r covers e
        kept.append(int(e))
    return kept
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 4: the index (Algorithms 1 and 5)
# ---------------------------------------------------------------------------------------------


def max_connections(layer: int, M: int) -> int:
    """The degree limit of a node's list: $M_{max0} = 2M$ at layer 0, $M_{max} = M$ above.

    Layer 0 holds every node and carries the final, fine-grained search, so it gets twice
    the links; the paper reports that M_max0 = M hurts recall at high recall.
    """
    ### BEGIN SOLUTION (2M at layer 0, M on every layer above)
    return 2 * M if layer == 0 else M
    ### END SOLUTION


def link_neighbors(
    layer: dict[int, list[int]],
    node: int,
    neighbors: Sequence[int],
    m_max: int,
    shrink: Callable[[int, list[int]], list[int]],
) -> None:
    """Connect ``node`` to ``neighbors`` on one layer, both ways, within the degree limit.

    Set ``layer[node]`` to the neighbours; append ``node`` to each neighbour's list (the
    reverse link: without it early nodes never learn about later ones and become dead
    ends); if a neighbour's list now has more than ``m_max`` entries, replace it by
    ``shrink(neighbour, its list)``, which re-selects the neighbour's best ``m_max`` links.
    """
    ### BEGIN SOLUTION (forward list, reverse link on each neighbour, shrink lists longer than m_max)
    layer[node] = [int(e) for e in neighbors]
    for e in layer[node]:
        links = layer[e]
        links.append(node)  # the reverse link: the graph must be navigable both ways
        if len(links) > m_max:
            layer[e] = shrink(e, links)  # keep the degree bounded
    ### END SOLUTION


class HNSW:
    """A Hierarchical Navigable Small World index over Euclidean vectors.

    Attributes: ``levels[i]`` is node i's top layer; ``graph[l]`` is layer l as a dict
    ``{node: [neighbours]}`` (layer l holds exactly the nodes with level >= l);
    ``entry_point`` is a node on the top layer; ``n_distance`` counts the query-to-node
    distances computed by searches (insertions included).
    """

    def __init__(self, dim: int, M: int = 16, ef_construction: int = 200, seed: int = 0,
                 heuristic: bool = True):
        self.dim = int(dim)
        self.M = int(M)
        self.ef_construction = int(ef_construction)
        self.mL = level_multiplier(self.M)
        self.heuristic = heuristic
        self.rng = np.random.default_rng(seed)  # the only randomness: the levels
        self._data = np.zeros((16, self.dim))  # grows by doubling; rows [0, n) are used
        self.n = 0
        self.levels: list[int] = []
        self.graph: list[dict[int, list[int]]] = []
        self.entry_point: int | None = None
        self.n_distance = 0

    # -- helpers given to the student ---------------------------------------------------------

    @property
    def vectors(self) -> np.ndarray:
        """The stored vectors, shape (n, dim)."""
        return self._data[: self.n]

    def distances(self, x: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Distances from ``x`` to the stored nodes ``ids``; adds ``len(ids)`` to the counter."""
        self.n_distance += len(ids)
        return l2_distances(self._data[ids], x)

    def select(self, candidates: Sequence[tuple[float, int]], m: int) -> list[int]:
        """SELECT-NEIGHBORS: the heuristic (default) or the simple rule, ``m`` at most."""
        if self.heuristic:
            return select_neighbors_heuristic(candidates, m, self._data)
        return select_neighbors_simple(candidates, m)

    def shrink(self, layer: int) -> Callable[[int, list[int]], list[int]]:
        """The ``shrink(e, links)`` for :func:`link_neighbors` on ``layer``: re-select e's links."""
        m_max = max_connections(layer, self.M)

        def shrink(e: int, links: list[int]) -> list[int]:
            d = l2_distances(self._data[links], self._data[e]).tolist()
            return self.select(list(zip(d, links)), m_max)

        return shrink

    def _store(self, x: np.ndarray) -> int:
        """Append a vector, growing the buffer by doubling; return its id."""
        if self.n == len(self._data):
            self._data = np.concatenate([self._data, np.zeros_like(self._data)])
        self._data[self.n] = x
        self.n += 1
        return self.n - 1

    def add(self, X: np.ndarray) -> None:
        """Insert the rows of X in order."""
        for x in np.asarray(X, dtype=np.float64).reshape(-1, self.dim):
            self.insert(x)

    # -- the algorithms ------------------------------------------------------------------------

    def insert(self, x: np.ndarray, level: int | None = None) -> int:
        """INSERT (Algorithm 1). Returns the new node's id.

        1. Draw the node's level l (given below) and store the vector.
        2. Greedy descent: from the entry point, SEARCH-LAYER with ef = 1 on each layer from
           the top L down to l + 1; the nearest node found is the entry of the next layer.
        3. For each layer lc = min(L, l) down to 0: W = SEARCH-LAYER with efConstruction from
           the current entry points; pick M neighbours from W with :meth:`select`; connect
           them both ways with :func:`link_neighbors` (limit :func:`max_connections`,
           shrink :meth:`shrink`); W becomes the entry points of the layer below.
        4. If l > L, the new node becomes the entry point.
        """
        x = np.asarray(x, dtype=np.float64)
        if level is None:
            level = random_level(1.0 - self.rng.random(), self.mL)  # 1 - [0, 1) is (0, 1]
        ### BEGIN SOLUTION (store x, add it to layers 0..level, greedy descent, then search/select/link per layer)
        node = self._store(x)
        self.levels.append(level)
        while len(self.graph) <= level:  # a new top layer starts empty
            self.graph.append({})
        for lc in range(level + 1):
            self.graph[lc][node] = []
        if self.entry_point is None:  # the first node is the whole graph
            self.entry_point = node
            return node
        top = self.levels[self.entry_point]

        def dist(ids: np.ndarray) -> np.ndarray:
            return self.distances(x, ids)

        # Zoom in: above the node's own level only the single nearest node matters.
        entry = [self.entry_point]
        for lc in range(top, level, -1):
            entry = [e for _, e in search_layer(dist, entry, 1, self.graph[lc])]
        # Link: on each layer the node lives on, search wider and connect to the chosen M.
        for lc in range(min(top, level), -1, -1):
            found = search_layer(dist, entry, self.ef_construction, self.graph[lc])
            neighbors = self.select(found, self.M)
            link_neighbors(self.graph[lc], node, neighbors, max_connections(lc, self.M), self.shrink(lc))
            entry = [e for _, e in found]
        if level > top:
            self.entry_point = node
        return node
        ### END SOLUTION

    def search(self, q: np.ndarray, k: int, ef: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """K-NN-SEARCH (Algorithm 5): ids (int64) and distances of the k nearest found.

        Greedy descent (ef = 1) from the entry point down to layer 1, then SEARCH-LAYER at
        layer 0 with max(ef, k), as hnswlib does (fewer than k results are never enough);
        return the k nearest of W, nearest first. ``ef >= n`` makes the search exact when
        every node is reachable at layer 0.
        """
        q = np.asarray(q, dtype=np.float64)
        ### BEGIN SOLUTION (empty index -> empty arrays; ef=1 down to layer 1; layer 0 with max(ef, k); k nearest)
        if self.entry_point is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0)

        def dist(ids: np.ndarray) -> np.ndarray:
            return self.distances(q, ids)

        entry = [self.entry_point]
        for lc in range(self.levels[self.entry_point], 0, -1):
            entry = [e for _, e in search_layer(dist, entry, 1, self.graph[lc])]
        found = search_layer(dist, entry, max(ef, k), self.graph[0])[:k]
        return np.array([e for _, e in found], dtype=np.int64), np.array([d for d, _ in found])
        ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Task 5: measurement (ann-benchmarks style)
# ---------------------------------------------------------------------------------------------


def brute_force_knn(vectors: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact k-NN by scanning every vector: ids (nq, k) int64 and distances (nq, k).

    Sorted by distance, ties by id (a stable sort). Costs n distance computations per query:
    the baseline an index must beat.
    """
    ### BEGIN SOLUTION (all distances per query, stable argsort, first k)
    vectors = np.asarray(vectors, dtype=np.float64)
    queries = np.asarray(queries, dtype=np.float64).reshape(-1, vectors.shape[1])
    ids = np.zeros((len(queries), k), dtype=np.int64)
    dists = np.zeros((len(queries), k))
    for i, q in enumerate(queries):
        d = l2_distances(vectors, q)  # exact differences, not |a|^2 + |b|^2 - 2ab
        order = np.argsort(d, kind="stable")[:k]
        ids[i], dists[i] = order, d[order]
    return ids, dists
    ### END SOLUTION


def recall_at_k(found_distances: np.ndarray, true_distances: np.ndarray, k: int,
                epsilon: float = 1e-3) -> np.ndarray:
    """Per-query recall@k by distance threshold, as ann-benchmarks computes it.

    $$\\text{recall}_i = \\frac{1}{k}\\,\\#\\{j < k : \\hat d_{ij} \\le d^{*}_{i,k} + \\epsilon\\}$$

    with $\\hat d_{ij}$ the distance of the j-th returned neighbour and $d^{*}_{i,k}$ the true
    k-th smallest distance. Counting by distance, not by id, makes ties harmless: any point
    as close as the true k-th neighbour counts. Missing results (fewer than k columns)
    count as misses. Returns shape (nq,).
    """
    ### BEGIN SOLUTION (threshold = true k-th distance + epsilon; count the first k found <= threshold; / k)
    found = np.asarray(found_distances, dtype=np.float64)[:, :k]
    threshold = np.asarray(true_distances, dtype=np.float64)[:, k - 1] + epsilon
    return (found <= threshold[:, None]).sum(axis=1) / k
    ### END SOLUTION


def evaluate(index: HNSW, queries: np.ndarray, true_distances: np.ndarray, k: int,
             efs: Sequence[int]) -> dict[str, np.ndarray]:
    """Recall@k and distance computations per query of ``index`` for each ef in ``efs``.

    Returns ``{"ef": (len(efs),) int, "recall": mean recall@k per ef,
    "distances_per_query": mean number of distance computations per query per ef}``.
    The counter difference of ``index.n_distance`` over the queries gives the cost.
    """
    ### BEGIN SOLUTION (for each ef: counter before, search every query, counter after; mean recall_at_k)
    recall, cost = [], []
    for ef in efs:
        before = index.n_distance
        found = np.full((len(queries), k), np.inf)  # a missing result is a miss
        for i, q in enumerate(queries):
            _, d = index.search(q, k, ef)
            found[i, : len(d)] = d
        cost.append((index.n_distance - before) / len(queries))
        recall.append(float(recall_at_k(found, true_distances, k).mean()))
    return {"ef": np.asarray(efs, dtype=np.int64), "recall": np.array(recall),
            "distances_per_query": np.array(cost)}
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# Figures (given): recall against ef, cost against N beside brute force
# ---------------------------------------------------------------------------------------------


def gaussian_data(n: int, dim: int, seed: int) -> np.ndarray:
    """Seeded standard-normal vectors, shape (n, dim), float64: the lab's test data."""
    return np.random.default_rng(seed).standard_normal((n, dim))


def figure_data(sizes: Sequence[int] = (250, 500, 1000, 2000), dim: int = 16, M: int = 8,
                ef_construction: int = 64, efs: Sequence[int] = (10, 15, 20, 30, 50, 100, 200),
                k: int = 10, n_queries: int = 50, seed: int = 0) -> dict[str, np.ndarray]:
    """Build one index incrementally and measure it whenever it reaches a size in ``sizes``.

    Returns recall and cost per ef at the largest size, and the cost at ef = 10 per size
    beside brute force (which computes n distances per query).
    """
    data = gaussian_data(max(sizes), dim, seed)
    queries = gaussian_data(n_queries, dim, seed + 1)
    index = HNSW(dim, M=M, ef_construction=ef_construction, seed=seed)
    cost_at_n = []
    for n in sorted(sizes):
        index.add(data[index.n : n])
        _, true_d = brute_force_knn(data[:n], queries, k)
        cost_at_n.append(evaluate(index, queries, true_d, k, [10])["distances_per_query"][0])
    curve = evaluate(index, queries, true_d, k, efs)
    return {"ef": curve["ef"], "recall": curve["recall"], "cost_per_ef": curve["distances_per_query"],
            "n": np.array(sorted(sizes)), "cost_hnsw": np.array(cost_at_n),
            "cost_brute": np.array(sorted(sizes), dtype=np.float64)}


def plot_recall_vs_ef(data: dict[str, np.ndarray], path: Path) -> dict[str, np.ndarray]:
    """Recall@10 against ef (log x): the speed/accuracy knob of the search."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    ax.plot(data["ef"], data["recall"], "o-")
    ax.set_xscale("log")
    ax.set_xlabel("ef (search beam width)")
    ax.set_ylabel("recall@10")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(f"HNSW, N = {int(data['n'][-1])}, k = 10")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return {"ef": data["ef"], "recall": data["recall"]}


def plot_cost_vs_n(data: dict[str, np.ndarray], path: Path) -> dict[str, np.ndarray]:
    """Distance computations per query against N (log-log), HNSW at ef = 10 beside brute force."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    ax.loglog(data["n"], data["cost_brute"], "s--", label="brute force (N)")
    ax.loglog(data["n"], data["cost_hnsw"], "o-", label="HNSW, ef = 10")
    ax.set_xticks(data["n"], [str(int(n)) for n in data["n"]])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("N (indexed vectors)")
    ax.set_ylabel("distance computations / query")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return {"n": data["n"], "cost_hnsw": data["cost_hnsw"], "cost_brute": data["cost_brute"]}


def make_figures(outdir, **kwargs) -> list[Path]:
    """Save ``hnsw-recall-vs-ef.png`` and ``hnsw-cost-vs-n.png`` in ``outdir``."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    data = figure_data(**kwargs)
    paths = [outdir / "hnsw-recall-vs-ef.png", outdir / "hnsw-cost-vs-n.png"]
    plot_recall_vs_ef(data, paths[0])
    plot_cost_vs_n(data, paths[1])
    return paths


if __name__ == "__main__":
    for p in make_figures("."):
        print(p)
