"""A bare assert with a message that does not say which shapes were expected and came."""
CAUGHT_BY = ["test_check_shape_message", "test_check_shape_rank"]


def check_shape(x, expected, name="tensor"):
    ok = len(x.shape) == len(expected) and all(e is None or e == s for e, s in zip(expected, x.shape))
    if not ok:
        raise AssertionError("wrong shape")
    return x
