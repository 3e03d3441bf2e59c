"""The result set W is never cut back to ef elements.

W's farthest element only moves outwards, so almost every node passes the "closer than the
farthest result" test: the search visits most of the graph (about N distance computations)
and returns more than ef results.
"""
CAUGHT_BY = ["test_search_layer_escapes_local_minimum", "test_search_layer_entry_points",
             "test_search_layer_complete_graph", "test_distance_computations_far_below_n",
             "test_search_layer_random_graph"]


def search_layer(distance, entry_points, ef, links):
    entry = list(dict.fromkeys(int(e) for e in entry_points))
    visited = set(entry)
    d_entry = distance(np.asarray(entry, dtype=np.int64)).tolist()
    candidates = [(d, e) for d, e in zip(d_entry, entry)]
    heapq.heapify(candidates)
    results = [(-d, e) for d, e in zip(d_entry, entry)]
    heapq.heapify(results)
    while candidates:
        d_c, c = heapq.heappop(candidates)
        if d_c > -results[0][0]:
            break
        fresh = [e for e in links[c] if e not in visited]
        if not fresh:
            continue
        visited.update(fresh)
        for d_e, e in zip(distance(np.asarray(fresh, dtype=np.int64)).tolist(), fresh):
            if len(results) < ef or d_e < -results[0][0]:
                heapq.heappush(candidates, (d_e, e))
                heapq.heappush(results, (-d_e, e))  # BUG: never pops the farthest
    return sorted((-neg_d, e) for neg_d, e in results)
