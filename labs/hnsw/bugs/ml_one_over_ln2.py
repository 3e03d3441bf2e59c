"""mL = 1/ln 2 whatever M is: half the nodes reach layer 1 instead of 1/M.

The hierarchy gets far too many layers and too many nodes per upper layer, so the upper
layers no longer skip ahead by a factor of M.
"""
CAUGHT_BY = ["test_level_multiplier", "test_level_fraction"]

REPLACE = [
    (
        """\
    if M < 2:
        raise ValueError(f"M must be at least 2, got {M}")
    return 1.0 / math.log(M)""",
        "    return 1.0 / math.log(2)  # BUG: should be 1 / ln(M)",
    ),
]
