"""The heuristic compares the wrong pair: d(e, r) against d(r, q) instead of d(e, q).

A candidate e is kept when it is farther from a kept neighbour r than r is from the query.
Since candidates are scanned nearest first, d(r, q) <= d(e, q), so this keeps every
candidate the correct rule keeps and more. The hand example of the paper's figure (q=(0,0),
(1,0), (1.1,0.1), (0,1)) does not catch it; a candidate between the two distances does.
"""
CAUGHT_BY = ["test_heuristic_two_directions", "test_heuristic_random"]

REPLACE = [
    (
        """\
    kept: list[int] = []
    for d_eq, e in sorted(candidates):""",
        """\
    ordered = sorted(candidates)
    d_to_q = {e: d for d, e in ordered}
    kept = []
    for d_eq, e in ordered:""",
    ),
    (
        "            if not bool(np.all(d_eq < d_er)):",
        """\
            d_rq = np.array([d_to_q[r] for r in kept])
            if not bool(np.all(d_rq < d_er)):  # BUG: d(r, q) where d(e, q) belongs""",
    ),
]
