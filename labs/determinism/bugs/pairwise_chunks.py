"""chunked_sum with np.sum per chunk: NumPy sums float32 pairwise, not left to right."""
CAUGHT_BY = ["test_chunked_sum_reference"]

REPLACE = [
    (
        """\
        partial = np.cumsum(part, dtype=np.float32)[-1] if part.size else np.float32(0.0)
        total = np.float32(total + partial)  # stays float32, in order""",
        "        total = np.float32(total + np.sum(part, dtype=np.float32))",
    ),
]
