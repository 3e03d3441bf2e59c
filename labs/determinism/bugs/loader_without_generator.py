"""A DataLoader without generator=: each iterator draws its base seed from the GLOBAL torch RNG.

The order still comes from epoch_order, but iterating the loader shifts every later global
draw (dropout masks, inits), and the worker processes get a base seed that depends on
whatever ran before, so two loaders for the same (seed, epoch) give different worker draws.
"""
CAUGHT_BY = ["test_loader_follows_order_and_leaves_global_rng", "test_loader_workers_seeded"]

REPLACE = [
    (
        """\
    g = torch.Generator().manual_seed(derive_seed(seed, WORKERS, epoch))
    return DataLoader(dataset, batch_size=batch_size, sampler=order, num_workers=num_workers, generator=g)""",
        "    return DataLoader(dataset, batch_size=batch_size, sampler=order, num_workers=num_workers)",
    ),
]
