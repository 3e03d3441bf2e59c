"""Variance measured from the target error instead of from the training error."""
CAUGHT_BY = ["test_budget_underfitting", "test_budget_overfitting", "test_budget_validation_overfitting"]

REPLACE = [
    ('        "variance": val_error - train_error,', '        "variance": val_error - target_error,'),
]
