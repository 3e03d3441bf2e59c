"""Each split drawn on its own with rng.choice: the splits overlap and some items are in none."""
CAUGHT_BY = ["test_split_partition", "test_split_reference"]


def split_indices(n, fractions=(0.8, 0.1, 0.1), seed=0):
    rng = np.random.default_rng(seed)
    n_train = int(round(fractions[0] * n))
    n_val = int(round(fractions[1] * n))
    sizes = {"train": n_train, "val": n_val, "test": n - n_train - n_val}
    return {k: np.sort(rng.choice(n, size, replace=False)) for k, size in sizes.items()}
