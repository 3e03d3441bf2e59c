"""Python's built-in hash() of the id: salted per process (PYTHONHASHSEED), so splits move between runs and machines."""
CAUGHT_BY = ["test_split_by_id_hand", "test_split_by_id_stable"]


def split_by_id(ids, val_fraction=0.1, test_fraction=0.1):
    out = []
    for item in ids:
        h = (hash(str(item)) % 2**32) / 2**32
        out.append("test" if h < test_fraction else "val" if h < test_fraction + val_fraction else "train")
    return out
