"""The map drawn transposed: keys on the rows, queries on the columns."""
CAUGHT_BY = ["test_plot_orientation"]


def plot_attention(weights, ax=None, title=None):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    w = np.asarray(weights.detach() if hasattr(weights, "detach") else weights, dtype=np.float64)
    if ax is None:
        _, ax = plt.subplots()
    ax.imshow(w.T, vmin=0.0, vmax=1.0)  # BUG: transposed
    ax.set_xlabel("key position")
    ax.set_ylabel("query position")
    return w.T
