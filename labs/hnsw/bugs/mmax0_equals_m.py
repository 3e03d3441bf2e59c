"""M_max0 = M: layer 0 gets the same degree limit as the upper layers (hnswlib uses 2M).

Layer 0 carries the final search over all nodes; halving its links costs recall at high
recall targets. The graph still satisfies "degree <= 2M", so only a test that expects lists
longer than M at layer 0 (or the hand value of the limit) catches it.
"""
CAUGHT_BY = ["test_max_connections", "test_layer0_uses_2m", "test_recall_close_to_reference"]

REPLACE = [
    ("    return 2 * M if layer == 0 else M", "    return M  # BUG: should be 2M at layer 0"),
]
