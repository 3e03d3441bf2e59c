"""PSI with the bins refit on the current window instead of fixed by the reference."""
CAUGHT_BY = ["test_psi_hand", "test_psi_random"]

REPLACE = [
    (
        "    edges = bin_edges(reference, n_bins) if edges is None else np.asarray(edges, dtype=np.float64)",
        "    edges = bin_edges(current, n_bins) if edges is None else np.asarray(edges, dtype=np.float64)",
    ),
]
