"""forgetting_metrics guards BWT with T > 2 instead of T > 1: two tasks report no forgetting at all."""
CAUGHT_BY = ["test_metrics_sizes"]


def forgetting_metrics(R):
    R = np.asarray(R, dtype=np.float64)
    T = R.shape[0]
    bwt = float(np.mean(R[T - 1, : T - 1] - np.diag(R)[: T - 1])) if T > 2 else 0.0
    return {"acc": float(R[T - 1].mean()), "bwt": bwt}
