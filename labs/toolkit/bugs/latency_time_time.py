"""Timed with time.time(): the wall clock, coarse on some systems and free to jump."""
CAUGHT_BY = ["test_latency_samples", "test_latency_percentiles", "test_latency_reference"]


def measure_latency(model, x, *, n_warmup=10, n_runs=1000):
    import torch

    model.eval()
    samples = np.empty(n_runs)
    with torch.inference_mode():
        for _ in range(n_warmup):
            model(x)
        for i in range(n_runs):
            t0 = time.time()
            model(x)
            samples[i] = time.time() - t0
    p50, p95, p99 = np.percentile(samples, [50, 95, 99])
    return {"samples": samples, "p50": p50, "p95": p95, "p99": p99, "mean": samples.mean()}
