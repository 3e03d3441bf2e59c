"""Reverse links are added but neighbour lists are never shrunk back to m_max.

Popular nodes collect unbounded lists: the degree limit (and the memory bound) is gone and
searches spend distance computations on redundant links.
"""
CAUGHT_BY = ["test_link_neighbors_hand", "test_graph_invariants", "test_layer0_uses_2m"]


def link_neighbors(layer, node, neighbors, m_max, shrink):
    layer[node] = [int(e) for e in neighbors]
    for e in layer[node]:
        layer[e].append(node)  # BUG: no check against m_max
