"""thread_sums that leaves torch on the last thread count it tried."""
CAUGHT_BY = ["test_thread_sums_repeatable"]


def thread_sums(x, threads):
    import torch

    x = torch.as_tensor(x, dtype=torch.float32)
    out = []
    for t in threads:
        torch.set_num_threads(t)
        out.append(x.sum().item())
    return out
