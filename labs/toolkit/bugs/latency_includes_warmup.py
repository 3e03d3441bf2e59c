"""Warm-up calls are timed and kept among the samples."""
CAUGHT_BY = ["test_latency_samples", "test_latency_reference"]


def measure_latency(model, x, *, n_warmup=10, n_runs=1000):
    import torch

    model.eval()
    samples = []
    with torch.inference_mode():
        for _ in range(n_warmup + n_runs):
            t0 = time.perf_counter()
            model(x)
            samples.append(time.perf_counter() - t0)
    samples = np.array(samples[:n_runs])  # the first calls, slow ones included
    p50, p95, p99 = np.percentile(samples, [50, 95, 99])
    return {"samples": samples, "p50": p50, "p95": p95, "p99": p99, "mean": samples.mean()}
