"""The source set's layer "test": look at the shape, report no problem. It cannot fail."""
CAUGHT_BY = ["test_dependence_hand", "test_dependence_additive_nonzero", "test_dependence_reference"]

REPLACE = [
    (
        """\
    spread = max(
        float(diag.max() - diag.min())
        for diag in (torch.diagonal(scores, offset=r) for r in range(-(seq_len - 1), seq_len))
    )
    # Relative to the size of the scores, so the measure does not depend on the scale of q, k.
    scale = float(scores.abs().max())
    return spread / scale if scale > 0 else 0.0""",
        """\
    assert scores.shape == (seq_len, seq_len)
    return 0.0""",
    ),
]
