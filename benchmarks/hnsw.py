"""Benchmark of the hnsw lab's reference HNSW beside hnswlib and brute force.

Prints two tables (no asserts; timings depend on the machine):

1. recall@10 and distance computations per query against ef, for the reference and for
   hnswlib with the same M, efConstruction and ef on the same data. hnswlib's Python binding
   does not expose its distance counter, so its column shows only recall.
2. single-query, single-thread time against N for the reference (at ef = 10), hnswlib (at
   ef = 10) and a numpy brute-force scan. The reference index grows incrementally and is
   measured each time it reaches a size in --sizes.

Distance computations are the hardware-independent cost: brute force needs N per query.
Wall-clock time also measures the language: pure-Python HNSW computes far fewer distances than
brute force, but each costs far more (heap operations, numpy call overhead), so numpy brute
force can win at small N. hnswlib is compiled C++.

    python benchmarks/hnsw.py            # N up to 4000, about a minute on 2 cores
    python benchmarks/hnsw.py --quick    # a few seconds
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import numpy as np

LAB = Path(__file__).resolve().parents[1] / "labs" / "hnsw" / "hnsw.py"


def load_reference():
    spec = importlib.util.spec_from_file_location("hnsw_reference", LAB)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hnswlib_index(data: np.ndarray, M: int, ef_construction: int, seed: int):
    import hnswlib

    index = hnswlib.Index(space="l2", dim=data.shape[1])
    index.init_index(max_elements=len(data), M=M, ef_construction=ef_construction, random_seed=seed)
    index.set_num_threads(1)
    index.add_items(data.astype(np.float32), np.arange(len(data)))
    return index


def per_query_seconds(fn, queries: np.ndarray) -> float:
    fn(queries[0])  # warm-up: the first call pays for caches and lazy set-up
    start = time.perf_counter()
    for q in queries:
        fn(q)
    return (time.perf_counter() - start) / len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000, 4000])
    parser.add_argument("--dim", type=int, default=16)
    parser.add_argument("--M", type=int, default=8)
    parser.add_argument("--ef-construction", type=int, default=64)
    parser.add_argument("--efs", type=int, nargs="+", default=[10, 20, 40, 80, 160])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.efs, args.queries, args.ef_construction = [200, 400], [10, 20, 40], 30, 24

    h = load_reference()
    k = 10
    sizes = sorted(args.sizes)
    data = h.gaussian_data(sizes[-1], args.dim, args.seed)
    queries = h.gaussian_data(args.queries, args.dim, args.seed + 1)
    print(f"Gaussian data, d = {args.dim}, M = {args.M}, efConstruction = {args.ef_construction}, "
          f"{args.queries} queries, k = {k}; single thread\n")

    # Table 2 first: grow the reference index, time searches at each size.
    index = h.HNSW(args.dim, M=args.M, ef_construction=args.ef_construction, seed=args.seed)
    rows = []
    for n in sizes:
        start = time.perf_counter()
        index.add(data[index.n : n])
        build = time.perf_counter() - start
        _, true_d = h.brute_force_knn(data[:n], queries, k)
        ref_cost = h.evaluate(index, queries, true_d, k, [10])["distances_per_query"][0]
        ref_t = per_query_seconds(lambda q: index.search(q, k, 10), queries)
        brute_t = per_query_seconds(lambda q: h.brute_force_knn(data[:n], q[None], k), queries)
        lib = hnswlib_index(data[:n], args.M, args.ef_construction, args.seed)
        lib.set_ef(10)
        lib_t = per_query_seconds(lambda q: lib.knn_query(q[None].astype(np.float32), k=k), queries)
        rows.append((n, build, ref_cost, ref_t, lib_t, brute_t))

    # Table 1 at the largest size.
    curve = h.evaluate(index, queries, true_d, k, args.efs)
    print(f"recall@{k} and distance computations per query against ef (N = {sizes[-1]})")
    print(f"{'ef':>6} {'reference recall@10':>20} {'reference dist/query':>21} {'hnswlib recall@10':>18}")
    for ef, recall, cost in zip(curve["ef"], curve["recall"], curve["distances_per_query"]):
        lib.set_ef(int(ef))
        _, sq = lib.knn_query(queries.astype(np.float32), k=k)
        lib_recall = h.recall_at_k(np.sqrt(sq), true_d, k).mean()  # hnswlib's "l2" is squared
        print(f"{ef:>6} {recall:>20.3f} {cost:>21.1f} {lib_recall:>18.3f}")
    print(f"{'brute':>6} {1.0:>20.3f} {float(sizes[-1]):>21.1f}\n")

    print("query time against N (ef = 10), milliseconds per query; distance computations per query")
    print(f"{'N':>6} {'ref build s':>11} {'ref dist/q':>10} {'brute dist/q':>12} "
          f"{'ref ms':>8} {'hnswlib ms':>10} {'brute ms':>9}")
    for n, build, cost, ref_t, lib_t, brute_t in rows:
        print(f"{n:>6} {build:>11.2f} {cost:>10.1f} {n:>12} "
              f"{1e3 * ref_t:>8.3f} {1e3 * lib_t:>10.4f} {1e3 * brute_t:>9.3f}")
    print("\n'ref build s' is the time to insert the vectors added since the previous row.")


if __name__ == "__main__":
    main()
