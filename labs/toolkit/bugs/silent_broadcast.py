"""No shape check: (5, 1) - (5,) broadcasts to (5, 5) and returns a wrong number without an error."""
CAUGHT_BY = ["test_checked_mse_rejects_broadcast", "test_shape_tools_on_tensors"]

REPLACE = [
    (
        "    \"\"\"\n"
        "    check_shape(target, tuple(pred.shape), name=\"target\")",
        "    \"\"\"",
    ),
]
