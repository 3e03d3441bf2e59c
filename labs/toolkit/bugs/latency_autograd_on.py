"""Autograd left on and the model left in training mode: not what serving runs."""
CAUGHT_BY = ["test_latency_inference_settings"]

REPLACE = [
    ("        model.eval()  # dropout off, batch norm uses running statistics", "        pass"),
    (
        "        with torch.inference_mode():  # no graph is recorded: faster, and what serving does",
        "        with torch.enable_grad():",
    ),
]
