"""average='weighted' weighting each class by how often it is PREDICTED instead of its true support."""
CAUGHT_BY = ["test_weighted_hand", "test_prf_all_averages_random"]

REPLACE = [
    (
        '    weights = counts["support"] if average == "weighted" else None',
        '    weights = counts["tp"] + counts["fp"] if average == "weighted" else None  # predicted, not true',
    ),
]
