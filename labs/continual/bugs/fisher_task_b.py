"""EWC with the Fisher measured on task B's data (the new task) instead of task A's."""
CAUGHT_BY = ["test_ewc_fisher_from_task_a", "test_ewc_reference"]

REPLACE = [
    (
        "            fisher = diagonal_fisher(model, task[\"X\"], task[\"y\"])",
        """\
            nxt = tasks[t + 1]  # BUG: the Fisher of the task to come (task B), not of the task just learned
            fisher = diagonal_fisher(model, nxt["X"], nxt["y"])""",
    ),
]
