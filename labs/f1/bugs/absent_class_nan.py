"""Plain division: an absent class gives NaN whatever zero_division says (and NaN poisons averages)."""
CAUGHT_BY = ["test_safe_divide", "test_zero_division_policies", "test_absent_class", "test_prf_random"]


def safe_divide(numerator, denominator, zero_division=0.0):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(numerator, dtype=np.float64) / np.asarray(denominator, dtype=np.float64)
