"""Noise checked first: every noisy curve is called "oscillates", healthy minibatch curves included."""
CAUGHT_BY = ["test_diagnose_hand_curves", "test_diagnose_planted_bug_curves"]

REPLACE = [
    (
        '        return "explodes"',
        '''\
        return "explodes"
    if np.abs(np.diff(x)).mean() / x.mean() > wiggle:  # noise checked first, on every curve
        return "oscillates"''',
    ),
]
