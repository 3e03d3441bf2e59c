"""safe_divide divides first and patches afterwards: right values, but numpy warns on every 0/0."""
CAUGHT_BY = ["test_safe_divide_defaults"]

REPLACE = [
    (
        """\
    zero = den == 0
    result = num / np.where(zero, 1.0, den)
    return np.where(zero, value, result)""",
        "    return np.where(den == 0, value, num / den)",
    ),
]
