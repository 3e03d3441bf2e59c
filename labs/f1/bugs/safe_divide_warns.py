"""safe_divide divides first and patches afterwards: right values, but numpy warns on every 0/0."""
CAUGHT_BY = ["test_safe_divide_defaults"]


def safe_divide(numerator, denominator, zero_division=0.0):
    value = _check_zero_division(zero_division)
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    return np.where(den == 0, value, num / den)
