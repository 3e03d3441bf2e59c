"""FP taken from row sums and FN from column sums: precision and recall come out swapped."""
CAUGHT_BY = ["test_per_class_hand", "test_per_class_outside_labels", "test_per_class_random",
             "test_average_none_hand", "test_binary_pos_label"]

REPLACE = [
    (
        """\
    fp = matrix.sum(axis=0)[:k] - tp
    fn = matrix.sum(axis=1)[:k] - tp""",
        """\
    fp = matrix.sum(axis=1)[:k] - tp  # wrong axis: this is FN
    fn = matrix.sum(axis=0)[:k] - tp  # wrong axis: this is FP""",
    ),
]
