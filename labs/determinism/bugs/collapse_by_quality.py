"""A collapse detector that looks at sample quality only.

A generator that puts every sample on one centre has quality ~0.99 and is called healthy;
a blurry generator that covers every mode is called collapsed.
"""
CAUGHT_BY = ["test_is_collapsed_tells_collapse_from_quality", "test_collapse_metrics_reference"]

REPLACE = [
    (
        "    return bool(metrics[\"modes_covered\"] < modes or metrics[\"kl_uniform\"] > max_kl)",
        "    return bool(metrics[\"hq_fraction\"] < 0.5)",
    ),
]
