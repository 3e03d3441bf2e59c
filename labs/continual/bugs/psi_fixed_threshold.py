"""Alarm when PSI > 0.25 (the rule of thumb), whatever the window size and number of features."""
CAUGHT_BY = ["test_monitor_quiet", "test_monitor_reference"]

REPLACE = [
    (
        "    d = reference.shape[1]\n"
        "\n"
        "    def stat(r, c):\n"
        "        return psi(r, c, n_bins)\n"
        "\n"
        "    values = np.array([stat(reference[:, k], current[:, k]) for k in range(d)])\n"
        "    # A fixed cut (0.1 / 0.25) ignores the window size: under no drift E[PSI] ~ (B-1)(1/n + 1/m).\n"
        "    pvalues = np.array([permutation_pvalue(reference[:, k], current[:, k], stat, n_perm, seed + k)"
        " for k in range(d)])\n"
        "    # d features are d tests: correct so that a quiet window rarely raises any alarm.\n"
        "    alarm = holm(pvalues, alpha)\n"
        "    return {\"psi\": values, \"pvalue\": pvalues, \"alarm\": alarm, \"any\": bool(alarm.any())}",
        """\
    values = np.array([psi(reference[:, k], current[:, k], n_bins) for k in range(reference.shape[1])])
    alarm = values > 0.25
    return {"psi": values, "pvalue": np.where(alarm, 0.0, 1.0), "alarm": alarm, "any": bool(alarm.any())}""",
    ),
]
