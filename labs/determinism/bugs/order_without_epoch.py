"""DistributedSampler-style shuffling without set_epoch: the order ignores the epoch.

Every epoch visits the samples in the same order (the seed is used, the epoch never).
"""
CAUGHT_BY = ["test_epoch_order_new_each_epoch", "test_epoch_order_reference"]

REPLACE = [
    (
        "    g = torch.Generator().manual_seed(derive_seed(seed, ORDER, epoch))",
        "    g = torch.Generator().manual_seed(derive_seed(seed, ORDER, 0))  # epoch stays 0",
    ),
]
