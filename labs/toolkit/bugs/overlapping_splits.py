"""Each split drawn on its own with rng.choice: the splits overlap and some items are in none."""
CAUGHT_BY = ["test_split_partition", "test_split_reference"]

REPLACE = [
    (
        '    cuts = {"train": perm[:n_train], "val": perm[n_train : n_train + n_val], "test": perm[n_train + n_val :]}',
        """\
    rng = np.random.default_rng(seed)
    sizes = {"train": n_train, "val": n_val, "test": n - n_train - n_val}
    cuts = {name: rng.choice(n, size, replace=False) for name, size in sizes.items()}""",
    ),
]
