"""One generator for data order and latent noise (RandomSampler-style order drawn from it).

Still reproducible, but the latent noise now depends on the data: a different data-set size
(or batch size, or sampler) shifts every later latent batch, so a change to the data can no
longer be studied in isolation.
"""
CAUGHT_BY = ["test_latent_noise_independent_of_data", "test_next_batch_follows_epoch_order", "test_gan_reference"]

REPLACE = [
    (
        "    ``order = epoch_order(seed, epoch, n_data)``. A function of (seed, step) only.\n"
        "    \"\"\"",
        "    ``order = epoch_order(seed, epoch, n_data)``. A function of (seed, step) only.\n"
        "    \"\"\"\n"
        "    import torch",
    ),
    (
        """\
    order = epoch_order(run["seed"], epoch, n)
    return run["data"][order[j * B:(j + 1) * B]]""",
        """\
    if run.get("order_epoch") != epoch:
        run["order"] = torch.randperm(n, generator=run["noise"]).tolist()  # same stream as the noise
        run["order_epoch"] = epoch
    return run["data"][run["order"][j * B:(j + 1) * B]]""",
    ),
]
