"""train starts a new pass when exactly batch_size items remain (>= instead of >): a pass that divides
evenly loses its last batch."""
CAUGHT_BY = ["test_train_batch_order"]

REPLACE = [
    (
        """\
    n = len(X)
    if batch_size > n:
        raise ValueError(f"batch_size {batch_size} is larger than the data ({n} items)")""",
        "    n, losses = len(X), []",
    ),
    (
        "        if pos + batch_size > n:  # a new pass: reshuffle, drop the short tail",
        "        if pos + batch_size >= n:",
    ),
]
