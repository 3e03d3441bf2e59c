"""Resume that restores the models and RNGs but starts fresh Adam optimizers (moments lost)."""
CAUGHT_BY = ["test_resume_is_bitwise"]

REPLACE = [
    (
        """\
    run["D"].load_state_dict(ckpt["D"])
    run["opt_g"].load_state_dict(ckpt["opt_g"])
    run["opt_d"].load_state_dict(ckpt["opt_d"])""",
        "    run[\"D\"].load_state_dict(ckpt[\"D\"])",
    ),
]
