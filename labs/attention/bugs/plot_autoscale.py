"""The colour range left to imshow: each map is stretched to its own min and max."""
CAUGHT_BY = ["test_plot_scale_and_labels"]


def plot_attention(weights, ax=None, title=None):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    w = np.asarray(weights.detach() if hasattr(weights, "detach") else weights, dtype=np.float64)
    if ax is None:
        _, ax = plt.subplots()
    ax.imshow(w)  # BUG: no vmin/vmax
    ax.set_xlabel("key position")
    ax.set_ylabel("query position")
    return w
