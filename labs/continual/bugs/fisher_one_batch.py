"""Fisher from one batch: the square of the batch-mean gradient instead of the mean of squares."""
CAUGHT_BY = ["test_fisher_hand", "test_fisher_mlp"]

REPLACE = [
    (
        """\
    total = torch.zeros(sum(p.numel() for p in params), dtype=torch.float64)
    for n in range(len(y)):
        # The gradient of ONE example's log-likelihood: squaring a batch mean would lose the
        # per-example spread that the Fisher measures.
        log_p = torch.log_softmax(model(X[n : n + 1]), dim=1)[0, y[n]]
        grads = torch.autograd.grad(log_p, params)
        total += torch.cat([g.reshape(-1) for g in grads]) ** 2
    return total / len(y)""",
        """\
    log_p = torch.log_softmax(model(X), dim=1)[torch.arange(len(y)), y].mean()
    grads = torch.autograd.grad(log_p, params)
    return torch.cat([g.reshape(-1) for g in grads]) ** 2""",
    ),
]
