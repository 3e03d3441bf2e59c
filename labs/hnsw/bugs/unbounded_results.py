"""The result set W is never cut back to ef elements.

W's farthest element only moves outwards, so almost every node passes the "closer than the
farthest result" test: the search visits most of the graph (about N distance computations)
and returns more than ef results.
"""
CAUGHT_BY = ["test_search_layer_escapes_local_minimum", "test_search_layer_entry_points",
             "test_search_layer_complete_graph", "test_distance_computations_far_below_n",
             "test_search_layer_random_graph"]

REPLACE = [
    (
        """\
                heapq.heappush(results, (-d_e, e))
                if len(results) > ef:  # keep W bounded: drop the farthest result
                    heapq.heappop(results)""",
        "                heapq.heappush(results, (-d_e, e))",
    ),
]
