"""PSI without an epsilon: an empty bin gives ln(0) and an infinite (or NaN) PSI."""
CAUGHT_BY = ["test_psi_empty_bin"]

REPLACE = [
    (
        """\
    e = np.maximum(bin_proportions(reference, edges), eps)
    a = np.maximum(bin_proportions(current, edges), eps)
    return float(np.sum((a - e) * np.log(a / e)))""",
        """\
    e = bin_proportions(reference, edges)
    a = bin_proportions(current, edges)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum((a - e) * np.log(a / e)))""",
    ),
]
