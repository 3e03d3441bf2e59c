"""The stop rule compares the nearest candidate with the NEAREST result instead of the farthest.

After the first expansion the nearest result is at least as close as any candidate, so the
search stops almost at once: it behaves like a greedy walk and misses neighbours.
"""
CAUGHT_BY = ["test_search_layer_escapes_local_minimum", "test_search_layer_entry_points",
             "test_exact_when_ef_covers_all", "test_recall_floor", "test_evaluate_curve",
             "test_recall_close_to_reference"]

REPLACE = [
    (
        "        if d_c > -results[0][0]:",
        "        if d_c > min(-neg_d for neg_d, _ in results):  # BUG: nearest result, not farthest",
    ),
]
