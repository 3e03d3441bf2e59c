"""The noise generator is reseeded at every step: every step gets the same latent batch.

The run is still perfectly reproducible (same seed, same bits), which is why this bug
survives: reproducible is not the same as right.
"""
CAUGHT_BY = ["test_noise_stream_advances", "test_latent_reference", "test_gan_reference"]

REPLACE = [
    (
        "    return torch.randn(cfg[\"batch_size\"], cfg[\"latent_dim\"], generator=run[\"noise\"])",
        """\
    run["noise"].manual_seed(derive_seed(run["seed"], NOISE))  # "to be safe"
    return torch.randn(cfg["batch_size"], cfg["latent_dim"], generator=run["noise"])""",
    ),
]
