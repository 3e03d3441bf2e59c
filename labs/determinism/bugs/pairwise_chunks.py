"""chunked_sum with np.sum per chunk: NumPy sums float32 pairwise, not left to right."""
CAUGHT_BY = ["test_chunked_sum_reference"]


def chunked_sum(x, n_chunks):
    x = np.asarray(x, dtype=np.float32).ravel()
    total = np.float32(0.0)
    for part in np.array_split(x, n_chunks):
        total = np.float32(total + np.sum(part, dtype=np.float32))
    return float(total)
