"""The stop rule compares the nearest candidate with the NEAREST result instead of the farthest.

After the first expansion the nearest result is at least as close as any candidate, so the
search stops almost at once: it behaves like a greedy walk and misses neighbours.
"""
CAUGHT_BY = ["test_search_layer_escapes_local_minimum", "test_search_layer_entry_points",
             "test_exact_when_ef_covers_all", "test_recall_floor", "test_evaluate_curve",
             "test_recall_close_to_reference"]


def search_layer(distance, entry_points, ef, links):
    entry = list(dict.fromkeys(int(e) for e in entry_points))
    visited = set(entry)
    d_entry = distance(np.asarray(entry, dtype=np.int64)).tolist()
    candidates = [(d, e) for d, e in zip(d_entry, entry)]
    heapq.heapify(candidates)
    results = [(-d, e) for d, e in zip(d_entry, entry)]
    heapq.heapify(results)
    while len(results) > ef:
        heapq.heappop(results)
    while candidates:
        d_c, c = heapq.heappop(candidates)
        if d_c > min(-neg_d for neg_d, _ in results):  # BUG: nearest result, not farthest
            break
        fresh = [e for e in links[c] if e not in visited]
        if not fresh:
            continue
        visited.update(fresh)
        for d_e, e in zip(distance(np.asarray(fresh, dtype=np.int64)).tolist(), fresh):
            if len(results) < ef or d_e < -results[0][0]:
                heapq.heappush(candidates, (d_e, e))
                heapq.heappush(results, (-d_e, e))
                if len(results) > ef:
                    heapq.heappop(results)
    return sorted((-neg_d, e) for neg_d, e in results)
