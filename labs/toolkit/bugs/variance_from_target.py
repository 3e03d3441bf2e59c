"""Variance measured from the target error instead of from the training error."""
CAUGHT_BY = ["test_budget_underfitting", "test_budget_overfitting", "test_budget_validation_overfitting"]


def error_budget(train_error, val_error, test_error, target_error=0.0):
    parts = {"bias": train_error - target_error, "variance": val_error - target_error, "val_overfit": test_error - val_error}
    names = {"bias": "underfitting", "variance": "overfitting", "val_overfit": "validation overfitting"}
    return {**parts, "verdict": names[max(parts, key=parts.get)]}
