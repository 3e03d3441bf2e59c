"""Greedy-only search: SEARCH-LAYER ignores ef and always runs with ef = 1.

The walk stops at the first node whose neighbours are all farther (a local minimum) and
returns one result, during construction and at query time alike.
"""
CAUGHT_BY = ["test_search_layer_escapes_local_minimum", "test_search_layer_entry_points",
             "test_search_layer_complete_graph", "test_recall_floor", "test_exact_when_ef_covers_all",
             "test_evaluate_curve", "test_search_layer_random_graph"]

REPLACE = [
    (
        "    return sorted((-neg_d, e) for neg_d, e in results)",
        """\
    return sorted((-neg_d, e) for neg_d, e in results)


_search_layer_with_ef = search_layer


def search_layer(distance, entry_points, ef, links):
    return _search_layer_with_ef(distance, entry_points, 1, links)""",
    ),
]
