"""seed_everything that seeds torch only: random and numpy keep drawing unseeded numbers."""
CAUGHT_BY = ["test_seed_everything_draws"]

REPLACE = [
    (
        """\
    # One seed per library: each keeps its own generator state.
    random.seed(seed)
    np.random.seed(seed)""",
        "    # One seed per library: each keeps its own generator state.",
    ),
    (
        """\
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    # Only matters for cuBLAS on a GPU; harmless on a CPU.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")""",
        "    torch.backends.cudnn.benchmark = False",
    ),
]
