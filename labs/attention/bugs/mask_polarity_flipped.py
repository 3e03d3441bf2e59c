"""Boolean mask read as True = BLOCK (nn.MultiheadAttention's polarity) instead of True = keep."""
CAUGHT_BY = [
    "test_matches_torch_sdpa",
    "test_bool_mask_keeps_true",
    "test_fully_masked_row_is_zero",
    "test_attention_random_cases",
    "test_padded_keys_do_not_change_output",
    "test_mha_key_padding",
]

REPLACE = [
    (
        """\
        if mask.dtype == torch.bool:
            # -inf, not -1e9: exp(-inf) is exactly 0, and a fully blocked row stays detectable.
            scores = scores.masked_fill(~mask, float("-inf"))
        else:
            scores = scores + mask  # additive bias (may itself hold -inf)""",
        "        scores = scores.masked_fill(mask, float(\"-inf\")) if mask.dtype == torch.bool else scores + mask",
    ),
]
