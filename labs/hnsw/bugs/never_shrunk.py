"""Reverse links are added but neighbour lists are never shrunk back to m_max.

Popular nodes collect unbounded lists: the degree limit (and the memory bound) is gone and
searches spend distance computations on redundant links.
"""
CAUGHT_BY = ["test_link_neighbors_hand", "test_graph_invariants", "test_layer0_uses_2m"]

REPLACE = [
    (
        """\
        links = layer[e]
        links.append(node)  # the reverse link: the graph must be navigable both ways
        if len(links) > m_max:
            layer[e] = shrink(e, links)  # keep the degree bounded""",
        "        layer[e].append(node)  # BUG: no check against m_max",
    ),
]
