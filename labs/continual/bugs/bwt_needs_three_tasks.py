"""forgetting_metrics guards BWT with T > 2 instead of T > 1: two tasks report no forgetting at all."""
CAUGHT_BY = ["test_metrics_sizes"]

REPLACE = [
    (
        """\
    acc = R[T - 1].mean()
    # Compare each earlier task's final accuracy with its accuracy right after learning it.
    bwt = float(np.mean(R[T - 1, : T - 1] - np.diag(R)[: T - 1])) if T > 1 else 0.0
    return {"acc": float(acc), "bwt": bwt}""",
        """\
    bwt = float(np.mean(R[T - 1, : T - 1] - np.diag(R)[: T - 1])) if T > 2 else 0.0
    return {"acc": float(R[T - 1].mean()), "bwt": bwt}""",
    ),
]
