"""PSI without an epsilon: an empty bin gives ln(0) and an infinite (or NaN) PSI."""
CAUGHT_BY = ["test_psi_empty_bin"]


def psi(reference, current, n_bins=10, eps=1e-4, edges=None):
    edges = bin_edges(reference, n_bins) if edges is None else np.asarray(edges, dtype=np.float64)  # noqa: F821
    e = bin_proportions(reference, edges)  # noqa: F821
    a = bin_proportions(current, edges)  # noqa: F821
    with np.errstate(divide="ignore", invalid="ignore"):  # noqa: F821
        return float(np.sum((a - e) * np.log(a / e)))  # noqa: F821
