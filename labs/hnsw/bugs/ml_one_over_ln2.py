"""mL = 1/ln 2 whatever M is: half the nodes reach layer 1 instead of 1/M.

The hierarchy gets far too many layers and too many nodes per upper layer, so the upper
layers no longer skip ahead by a factor of M.
"""
CAUGHT_BY = ["test_level_multiplier", "test_level_fraction"]


def level_multiplier(M):
    return 1.0 / math.log(2)  # BUG: should be 1 / ln(M)
