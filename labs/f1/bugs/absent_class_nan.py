"""Plain division: an absent class gives NaN whatever zero_division says (and NaN poisons averages)."""
CAUGHT_BY = ["test_safe_divide", "test_zero_division_policies", "test_absent_class", "test_prf_random"]

REPLACE = [
    (
        """\
    result = num / np.where(zero, 1.0, den)
    return np.where(zero, value, result)""",
        """\
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den  # 0/0 = NaN whatever zero_division says""",
    ),
]
