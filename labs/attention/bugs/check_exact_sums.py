"""A map check comparing row sums with == 1: float32 rounding makes right maps fail."""
CAUGHT_BY = ["test_check_accepts_correct_maps", "test_check_tolerance_and_sign"]


def check_attention_map(weights, keep=None, causal=False, atol=1e-5):
    w = np.asarray(weights.detach() if hasattr(weights, "detach") else weights, dtype=np.float64)
    L, S = w.shape[-2:]
    kept = np.ones(w.shape, dtype=bool) if keep is None else np.broadcast_to(np.asarray(keep, dtype=bool), w.shape)
    allowed = kept & np.tril(np.ones((L, S), dtype=bool)) if causal else kept
    live = allowed.any(axis=-1)
    upper = np.triu(np.ones((L, S), dtype=bool), k=1)
    return {
        "nonnegative": bool((w >= 0).all()),
        "rows_sum_to_one": bool(np.all(w.sum(axis=-1)[live] == 1.0)),  # BUG: exact float comparison
        "masked_zero": bool(np.all(w[~kept] == 0.0)),
        "lower_triangular": bool(np.all(w[..., upper] == 0.0)) if causal else True,
    }
