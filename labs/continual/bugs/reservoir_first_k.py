"""Replay buffer that keeps the first k items of the stream and ignores the rest."""
CAUGHT_BY = ["test_reservoir_uniform", "test_reservoir_exact"]


class Reservoir(Reservoir):  # noqa: F821  (the reference's class, defined above in the variant)
    def add(self, item):
        self.seen += 1
        if len(self.items) < self.capacity:
            self.items.append(item)
