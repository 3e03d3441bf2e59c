"""Sign flip: the loop minimises -loss, so every update climbs the gradient and the loss rises."""
CAUGHT_BY = ["test_train_hand", "test_train_learns", "test_train_reference"]

REPLACE = [
    (
        "        loss = loss_fn(model(X[idx]), y[idx])",
        "        loss = -loss_fn(model(X[idx]), y[idx])  # sign flipped: minimising -loss",
    ),
    (
        "        losses.append(loss.item())  # a Python float: keeping the tensor would keep its graph",
        "        losses.append(-loss.item())",
    ),
]
