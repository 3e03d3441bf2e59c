"""Averages with np.average: one NaN class (zero_division=nan) turns macro and weighted into NaN."""
CAUGHT_BY = ["test_nan_average", "test_absent_class", "test_prf_all_averages_random"]


def nan_average(values, weights=None):
    values = np.asarray(values, dtype=np.float64)
    if weights is not None and np.sum(weights) == 0:
        weights = None
    return float(np.average(values, weights=weights))
