"""The map drawn transposed: keys on the rows, queries on the columns."""
CAUGHT_BY = ["test_plot_orientation"]

REPLACE = [
    (
        """\
    if title:
        ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return w""",
        "    return w.T",
    ),
]
