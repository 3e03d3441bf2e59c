"""torch's key_padding_mask (True = padding) passed on as a keep-mask without negating it."""
CAUGHT_BY = ["test_mha_key_padding", "test_mha_three_heads"]

REPLACE = [
    (
        "        keep = (~key_padding_mask.bool())[:, None, None, :]",
        "        keep = key_padding_mask.bool()[:, None, None, :]  # True = padding taken for True = keep",
    ),
]
