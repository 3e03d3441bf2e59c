"""A fresh generator without a seed: the split changes with every run and every machine."""
CAUGHT_BY = ["test_split_repeatable", "test_split_reference"]


def split_indices(n, fractions=(0.8, 0.1, 0.1), seed=0):
    n_train = int(round(fractions[0] * n))
    n_val = int(round(fractions[1] * n))
    perm = np.random.default_rng().permutation(n)  # `seed` ignored: OS entropy
    return {
        "train": np.sort(perm[:n_train]),
        "val": np.sort(perm[n_train : n_train + n_val]),
        "test": np.sort(perm[n_train + n_val :]),
    }
