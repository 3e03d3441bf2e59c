"""EWC penalty without the 1/2: gradient 2 lambda F (theta - theta*), twice the stated one."""
CAUGHT_BY = ["test_ewc_penalty_grad"]

REPLACE = [
    (
        "    return 0.5 * lam * torch.sum(fisher * (theta - anchor) ** 2)",
        "    return lam * torch.sum(fisher * (theta - anchor) ** 2)",
    ),
]
