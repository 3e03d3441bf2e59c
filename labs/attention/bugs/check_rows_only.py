"""A map check that only looks at row sums: it passes flipped masks, -1e9 rows and triu maps."""
CAUGHT_BY = ["test_check_flags_mask_bugs", "test_check_flags_upper_triangular"]


def check_attention_map(weights, keep=None, causal=False, atol=1e-5):
    w = np.asarray(weights.detach() if hasattr(weights, "detach") else weights, dtype=np.float64)
    return {
        "nonnegative": bool((w >= -atol).all()),
        "rows_sum_to_one": bool(np.all(np.abs(w.sum(axis=-1) - 1.0) <= atol)),
        "masked_zero": True,  # BUG: never looked at
        "lower_triangular": True,  # BUG: never looked at
    }
