"""Noise checked first: every noisy curve is called "oscillates", healthy minibatch curves included."""
CAUGHT_BY = ["test_diagnose_hand_curves", "test_diagnose_planted_bug_curves"]


def diagnose(losses, explode_factor=1000.0, rise=1.5, progress=0.1, wiggle=0.01):
    x = np.asarray(losses, dtype=np.float64)
    if not np.all(np.isfinite(x)) or x.max() > explode_factor * x[0]:
        return "explodes"
    if np.abs(np.diff(x)).mean() / x.mean() > wiggle:
        return "oscillates"
    w = max(1, len(x) // 10)
    start, end = x[:w].mean(), x[-w:].mean()
    if end > rise * start:
        return "goes up"
    return "healthy" if end <= progress * start else "plateaus"
