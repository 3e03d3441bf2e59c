"""A numpy Generator made once in Dataset.__init__ and drawn from in __getitem__.

Each worker process gets a copy of the same generator state, so worker 1 repeats worker 0's
jitter, and the data of an epoch depends on the number of workers.
"""
CAUGHT_BY = ["test_loader_same_data_any_workers", "test_loader_workers_distinct_jitter"]

REPLACE = [
    (
        "        self._noise = None  # (epoch, noise table), built lazily in each process",
        "        self.rng = np.random.default_rng(derive_seed(seed, JITTER))  # copied into every worker",
    ),
    (
        """\
    def __getitem__(self, i: int):
        # The whole epoch's noise table, derived from (seed, epoch): the same in every worker.
        if self._noise is None or self._noise[0] != self.epoch:
            rng = np.random.default_rng(derive_seed(self.seed, JITTER, self.epoch))
            self._noise = (self.epoch, rng.normal(0.0, self.jitter, size=(self.n, 2)))
        x = self.points[i] + self._noise[1][i]""",
        """\
    def __getitem__(self, i):
        x = self.points[i] + self.rng.normal(0.0, self.jitter, size=2)""",
    ),
]
