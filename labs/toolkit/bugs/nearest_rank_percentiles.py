"""Percentiles by nearest rank (sorted[ceil(q n / 100) - 1]) instead of numpy's linear interpolation."""
CAUGHT_BY = ["test_latency_percentiles", "test_latency_reference"]

REPLACE = [
    (
        """\
# ---------------------------------------------------------------------------------------------
# Task 6: the error budget""",
        """\
_reference_measure_latency = measure_latency


def measure_latency(model, x, *, n_warmup=10, n_runs=1000):
    out = _reference_measure_latency(model, x, n_warmup=n_warmup, n_runs=n_runs)
    s = np.sort(out["samples"])
    for q in (50, 95, 99):
        out[f"p{q}"] = float(s[int(np.ceil(q * len(s) / 100)) - 1])
    return out


# ---------------------------------------------------------------------------------------------
# Task 6: the error budget""",
    ),
]
