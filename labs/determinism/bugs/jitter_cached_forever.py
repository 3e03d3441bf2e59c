"""RingDataset computes its noise table once and keeps it: after set_epoch the jitter does not change."""
CAUGHT_BY = ["test_loader_generator_batches_and_epoch_cache"]

REPLACE = [
    (
        "        return x.astype(np.float32), int(i)",
        """\
        return x.astype(np.float32), int(i)


def _getitem(self, i):
    if self._noise is None:
        rng = np.random.default_rng(derive_seed(self.seed, JITTER, self.epoch))
        self._noise = (self.epoch, rng.normal(0.0, self.jitter, size=(self.n, 2)))
    return (self.points[i] + self._noise[1][i]).astype(np.float32), int(i)


RingDataset.__getitem__ = _getitem""",
    ),
]
