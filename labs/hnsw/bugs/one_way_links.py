"""One-way links: the new node points to its neighbours, but they never point back.

Early nodes never learn about later ones; the first node has no links at all. Searches that
start from old nodes (the entry point is usually one) cannot reach most of the graph.
"""
CAUGHT_BY = ["test_link_neighbors_hand", "test_links_symmetric_small"]

REPLACE = [
    (
        """\
    layer[node] = [int(e) for e in neighbors]
    for e in layer[node]:
        links = layer[e]
        links.append(node)  # the reverse link: the graph must be navigable both ways
        if len(links) > m_max:
            layer[e] = shrink(e, links)  # keep the degree bounded""",
        "    layer[node] = [int(e) for e in neighbors]",
    ),
]
