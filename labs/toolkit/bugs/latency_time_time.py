"""Timed with time.time(): the wall clock, coarse on some systems and free to jump."""
CAUGHT_BY = ["test_latency_samples", "test_latency_percentiles", "test_latency_reference"]

REPLACE = [
    ("                t0 = time.perf_counter()", "                t0 = time.time()"),
    ("                samples[i] = time.perf_counter() - t0", "                samples[i] = time.time() - t0"),
]
