"""Replay buffer that keeps the first k items of the stream and ignores the rest."""
CAUGHT_BY = ["test_reservoir_uniform", "test_reservoir_exact"]

REPLACE = [
    (
        """\
            return
        # Keep item i with probability capacity / (i + 1), evicting a uniformly chosen slot,
        # so every earlier item survives with probability capacity / (i + 1) as well.
        j = int(self.rng.integers(0, i + 1))
        if j < self.capacity:
            self.items[j] = item""",
        "            return",
    ),
]
