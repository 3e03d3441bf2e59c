"""Resume that restores models and optimizers but no RNG state: the noise stream restarts."""
CAUGHT_BY = ["test_resume_is_bitwise", "test_resume_restores_every_rng"]

REPLACE = [
    (
        """\
    run["opt_d"].load_state_dict(ckpt["opt_d"])
    run["noise"].set_state(ckpt["noise"])
    # Global RNGs too: anything in the loop that draws from them (dropout, say) continues.
    torch.set_rng_state(ckpt["torch_rng"])
    np.random.set_state(ckpt["numpy_rng"])
    random.setstate(ckpt["python_rng"])""",
        "    run[\"opt_d\"].load_state_dict(ckpt[\"opt_d\"])",
    ),
]
