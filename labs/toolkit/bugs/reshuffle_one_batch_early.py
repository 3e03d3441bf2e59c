"""train starts a new pass when exactly batch_size items remain (>= instead of >): a pass that divides
evenly loses its last batch."""
CAUGHT_BY = ["test_train_batch_order"]


def train(model, X, y, loss_fn, optimizer, *, steps, batch_size, seed=0):
    import torch

    n, losses = len(X), []
    g = torch.Generator().manual_seed(seed)
    model.train()
    perm, pos = torch.randperm(n, generator=g), 0
    for _ in range(steps):
        if pos + batch_size >= n:
            perm, pos = torch.randperm(n, generator=g), 0
        idx, pos = perm[pos : pos + batch_size], pos + batch_size
        optimizer.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward(), optimizer.step()
        losses.append(loss.item())
    return losses
