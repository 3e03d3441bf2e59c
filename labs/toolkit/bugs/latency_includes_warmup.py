"""Warm-up calls are timed and kept among the samples."""
CAUGHT_BY = ["test_latency_samples", "test_latency_reference"]

REPLACE = [
    (
        """\
            for _ in range(n_warmup):  # warm-up: run, but never time
                model(x)
            for i in range(n_runs):""",
        "            for i in range(n_warmup + n_runs):  # warm-up calls timed as well",
    ),
    (
        "                samples[i] = time.perf_counter() - t0",
        """\
                if i < n_runs:  # the first calls, slow ones included
                    samples[i] = time.perf_counter() - t0""",
    ),
]
