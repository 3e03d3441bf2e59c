"""EWC with the Fisher measured on task B's data (the new task) instead of task A's."""
CAUGHT_BY = ["test_ewc_fisher_from_task_a", "test_ewc_reference"]


def train_sequence(tasks, strategy: str = "finetune", *, epochs: int = 15, lr: float = 0.1,
                   buffer_size: int = 100, ewc_lambda: float = 1e4, seed: int = 0) -> dict:
    if strategy not in ("finetune", "replay", "ewc"):
        raise ValueError(f"unknown strategy {strategy!r} (finetune, replay or ewc)")
    T = len(tasks)
    model = make_model(seed=seed)
    R = np.zeros((T, T))
    curve = []
    buffer = Reservoir(buffer_size, seed=seed)
    anchor = fisher = None

    def log_epoch():
        # Accuracy on every task (seen or not) after each epoch: the forgetting curve.
        curve.append([accuracy(model, task["X_test"], task["y_test"]) for task in tasks])

    for t, task in enumerate(tasks):
        replay = None
        if strategy == "replay" and buffer.items:
            # Old examples are mixed into every minibatch of the new task.
            X_buf = np.stack([x for x, _ in buffer.items])
            y_buf = np.array([label for _, label in buffer.items], dtype=np.int64)
            replay = (X_buf, y_buf)
        penalty = None
        if strategy == "ewc" and anchor is not None:
            # Freeze the values: the closure must not see later reassignments.
            penalty = (lambda a, f: lambda m: ewc_penalty(m, a, f, ewc_lambda))(anchor, fisher)
        fit(model, task["X"], task["y"], epochs=epochs, lr=lr, seed=seed + t,
            replay=replay, penalty=penalty, on_epoch=log_epoch)
        # Row t of R: the model right after task t, tested on every task.
        R[t] = [accuracy(model, other["X_test"], other["y_test"]) for other in tasks]
        if strategy == "replay":
            # The stream of this task's examples passes through the reservoir once.
            for x, label in zip(task["X"], task["y"]):
                buffer.add((x, int(label)))
        if strategy == "ewc" and t < T - 1:
            # Importance of each weight FOR THIS TASK, measured where this task was solved.
            anchor = flat_params(model)
            nxt = tasks[t + 1]  # BUG: the Fisher of the task to come (task B), not of the task just learned
            fisher = diagonal_fisher(model, nxt["X"], nxt["y"])
    return {"R": R, "curve": np.array(curve), "anchor": anchor, "fisher": fisher}
