"""The colour range left to imshow: each map is stretched to its own min and max."""
CAUGHT_BY = ["test_plot_scale_and_labels"]

REPLACE = [
    (
        """\
        _, ax = plt.subplots(figsize=(3, 3))
    # Rows = queries, columns = keys: imshow draws array[row, col] at (y=row, x=col).
    image = ax.imshow(w, vmin=0.0, vmax=1.0, origin="upper", cmap="viridis", interpolation="nearest")""",
        """\
        _, ax = plt.subplots()
    ax.imshow(w)  # BUG: no vmin/vmax""",
    ),
    (
        """\
    ax.set_ylabel("query position")
    if title:
        ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)""",
        "    ax.set_ylabel(\"query position\")",
    ),
]
