"""A DataLoader without generator=: each iterator draws its base seed from the GLOBAL torch RNG.

The order still comes from epoch_order, but iterating the loader shifts every later global
draw (dropout masks, inits), and the worker processes get a base seed that depends on
whatever ran before, so two loaders for the same (seed, epoch) give different worker draws.
"""
CAUGHT_BY = ["test_loader_follows_order_and_leaves_global_rng", "test_loader_workers_seeded"]


def make_loader(dataset, *, seed, epoch, batch_size, num_workers=0):
    from torch.utils.data import DataLoader

    if hasattr(dataset, "set_epoch"):
        dataset.set_epoch(epoch)
    order = epoch_order(seed, epoch, len(dataset))
    return DataLoader(dataset, batch_size=batch_size, sampler=order, num_workers=num_workers)
