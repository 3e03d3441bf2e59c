"""Sign flip: the loop minimises -loss, so every update climbs the gradient and the loss rises."""
CAUGHT_BY = ["test_train_hand", "test_train_learns", "test_train_reference"]


def train(model, X, y, loss_fn, optimizer, *, steps, batch_size, seed=0):
    import torch

    g = torch.Generator().manual_seed(seed)
    model.train()
    losses, perm, pos = [], torch.randperm(len(X), generator=g), 0
    for _ in range(steps):
        if pos + batch_size > len(X):
            perm, pos = torch.randperm(len(X), generator=g), 0
        idx = perm[pos : pos + batch_size]
        pos += batch_size
        optimizer.zero_grad()
        loss = -loss_fn(model(X[idx]), y[idx])  # sign flipped: minimising -loss
        loss.backward()
        optimizer.step()
        losses.append(-loss.item())
    return losses
