"""One-way links: the new node points to its neighbours, but they never point back.

Early nodes never learn about later ones; the first node has no links at all. Searches that
start from old nodes (the entry point is usually one) cannot reach most of the graph.
"""
CAUGHT_BY = ["test_link_neighbors_hand", "test_links_symmetric_small"]


def link_neighbors(layer, node, neighbors, m_max, shrink):
    layer[node] = [int(e) for e in neighbors]  # BUG: no reverse link, so nothing to shrink
