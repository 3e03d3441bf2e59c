"""Autograd left on and the model left in training mode: not what serving runs."""
CAUGHT_BY = ["test_latency_inference_settings"]


def measure_latency(model, x, *, n_warmup=10, n_runs=1000):
    samples = np.empty(n_runs)
    for _ in range(n_warmup):
        model(x)
    for i in range(n_runs):
        t0 = time.perf_counter()
        model(x)
        samples[i] = time.perf_counter() - t0
    p50, p95, p99 = np.percentile(samples, [50, 95, 99])
    return {"samples": samples, "p50": p50, "p95": p95, "p99": p99, "mean": samples.mean()}
