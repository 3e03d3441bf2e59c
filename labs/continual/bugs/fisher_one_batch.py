"""Fisher from one batch: the square of the batch-mean gradient instead of the mean of squares."""
CAUGHT_BY = ["test_fisher_hand", "test_fisher_mlp"]


def diagonal_fisher(model, X, y):
    import torch

    X = torch.as_tensor(np.asarray(X), dtype=torch.float64)  # noqa: F821
    y = torch.as_tensor(np.asarray(y), dtype=torch.int64)  # noqa: F821
    params = list(model.parameters())
    log_p = torch.log_softmax(model(X), dim=1)[torch.arange(len(y)), y].mean()
    grads = torch.autograd.grad(log_p, params)
    return torch.cat([g.reshape(-1) for g in grads]) ** 2
