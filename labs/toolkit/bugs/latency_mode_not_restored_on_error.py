"""measure_latency restores the model's mode only when every call succeeds (no try/finally)."""
CAUGHT_BY = ["test_latency_restores_mode"]

REPLACE = [
    (
        """\
# ---------------------------------------------------------------------------------------------
# Task 6: the error budget""",
        """\
_reference_latency = measure_latency


def measure_latency(model, x, *, n_warmup=10, n_runs=1000):
    try:
        return _reference_latency(model, x, n_warmup=n_warmup, n_runs=n_runs)
    except Exception:
        model.eval()  # what a version without try/finally leaves behind when a call raises
        raise


# ---------------------------------------------------------------------------------------------
# Task 6: the error budget""",
    ),
]
