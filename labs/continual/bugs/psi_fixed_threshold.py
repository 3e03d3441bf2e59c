"""Alarm when PSI > 0.25 (the rule of thumb), whatever the window size and number of features."""
CAUGHT_BY = ["test_monitor_quiet", "test_monitor_reference"]


def monitor_window(reference, current, *, n_bins=10, alpha=0.05, n_perm=199, seed=0):
    reference = np.asarray(reference, dtype=np.float64)  # noqa: F821
    current = np.asarray(current, dtype=np.float64)  # noqa: F821
    values = np.array([psi(reference[:, k], current[:, k], n_bins) for k in range(reference.shape[1])])  # noqa: F821
    alarm = values > 0.25
    return {"psi": values, "pvalue": np.where(alarm, 0.0, 1.0), "alarm": alarm, "any": bool(alarm.any())}  # noqa: F821
