"""PSI with the bins refit on the current window instead of fixed by the reference."""
CAUGHT_BY = ["test_psi_hand", "test_psi_random"]


def psi(reference, current, n_bins=10, eps=1e-4, edges=None):
    edges = bin_edges(current, n_bins) if edges is None else np.asarray(edges, dtype=np.float64)  # noqa: F821
    e = np.maximum(bin_proportions(reference, edges), eps)  # noqa: F821
    a = np.maximum(bin_proportions(current, edges), eps)  # noqa: F821
    return float(np.sum((a - e) * np.log(a / e)))  # noqa: F821
