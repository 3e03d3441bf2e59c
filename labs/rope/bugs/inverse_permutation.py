"""The two permutations swapped (invisible at d = 4, where P is its own inverse)."""
CAUGHT_BY = [
    "test_interleaved_to_half_d8",
    "test_half_to_interleaved_d8",
    "test_permutations_reference",
    "test_half_convention_matches_rotate_half",
]

REPLACE = [
    (
        "    return torch.stack((y[..., :half], y[..., half:]), dim=-1).flatten(-2)",
        """\
    return torch.stack((y[..., :half], y[..., half:]), dim=-1).flatten(-2)


_right_to_half, _right_to_interleaved = interleaved_to_half, half_to_interleaved


def interleaved_to_half(x):
    return _right_to_interleaved(x)


def half_to_interleaved(y):
    return _right_to_half(y)""",
    ),
]
