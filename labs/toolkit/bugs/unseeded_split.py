"""A fresh generator without a seed: the split changes with every run and every machine."""
CAUGHT_BY = ["test_split_repeatable", "test_split_reference"]

REPLACE = [
    (
        "    perm = np.random.default_rng(seed).permutation(n)",
        "    perm = np.random.default_rng().permutation(n)  # `seed` ignored: OS entropy",
    ),
]
