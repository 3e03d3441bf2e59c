"""Python's built-in hash() of the id: salted per process (PYTHONHASHSEED), so splits move between runs and machines."""
CAUGHT_BY = ["test_split_by_id_hand", "test_split_by_id_stable"]

REPLACE = [
    ("        h = zlib.crc32(str(item).encode(\"utf-8\")) / 2**32", "        h = (hash(str(item)) % 2**32) / 2**32"),
]
