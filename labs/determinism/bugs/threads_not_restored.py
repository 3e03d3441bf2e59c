"""thread_sums that leaves torch on the last thread count it tried."""
CAUGHT_BY = ["test_thread_sums_repeatable"]

REPLACE = [
    (
        """\
    try:
        for t in threads:
            torch.set_num_threads(t)
            out.append(x.sum().item())
    finally:
        torch.set_num_threads(before)""",
        """\
    for t in threads:
        torch.set_num_threads(t)
        out.append(x.sum().item())""",
    ),
]
