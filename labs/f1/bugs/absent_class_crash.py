"""Python division per element: an absent class raises ZeroDivisionError and the dashboard goes blank."""
CAUGHT_BY = ["test_safe_divide", "test_zero_division_policies", "test_absent_class", "test_prf_random"]


def safe_divide(numerator, denominator, zero_division=0.0):
    num = np.atleast_1d(np.asarray(numerator, dtype=np.float64))
    den = np.atleast_1d(np.asarray(denominator, dtype=np.float64))
    return np.array([float(a) / float(b) for a, b in zip(num, den)]).reshape(np.shape(numerator))
