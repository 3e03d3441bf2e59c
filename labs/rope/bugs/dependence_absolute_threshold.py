"""position_dependence returns 0 unless the largest score exceeds 1 (an absolute threshold instead of
"all zeros"): small scores hide the dependence."""
CAUGHT_BY = ["test_dependence_default_start_and_scale"]

REPLACE = [
    (
        """\
# ---------------------------------------------------------------------------------------
# Task 5: RoPE inside single-head attention""",
        """\
_reference_dependence = position_dependence


def position_dependence(encode, q, k, seq_len, start=0):
    import torch

    scores = identical_token_scores(encode, q, k, torch.arange(start, start + seq_len))
    if float(scores.abs().max()) <= 1.0:
        return 0.0
    return _reference_dependence(encode, q, k, seq_len, start)


# ---------------------------------------------------------------------------------------
# Task 5: RoPE inside single-head attention""",
    ),
]
