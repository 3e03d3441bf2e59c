"""Python division per element: an absent class raises ZeroDivisionError and the dashboard goes blank."""
CAUGHT_BY = ["test_safe_divide", "test_zero_division_policies", "test_absent_class", "test_prf_random"]

REPLACE = [
    (
        """\
    result = num / np.where(zero, 1.0, den)
    return np.where(zero, value, result)""",
        """\
    pairs = zip(np.atleast_1d(num), np.atleast_1d(den))
    return np.array([float(a) / float(b) for a, b in pairs]).reshape(np.shape(numerator))  # Python's /""",
    ),
]
