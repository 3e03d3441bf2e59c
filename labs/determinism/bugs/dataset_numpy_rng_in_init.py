"""A numpy Generator made once in Dataset.__init__ and drawn from in __getitem__.

Each worker process gets a copy of the same generator state, so worker 1 repeats worker 0's
jitter, and the data of an epoch depends on the number of workers.
"""
CAUGHT_BY = ["test_loader_same_data_any_workers", "test_loader_workers_distinct_jitter"]


class RingDataset:
    def __init__(self, n, seed, jitter=0.05):
        self.n = n
        self.seed = seed
        self.jitter = jitter
        self.points = ring_mixture(n, seed)
        self.epoch = 0
        self.rng = np.random.default_rng(derive_seed(seed, JITTER))  # copied into every worker

    def set_epoch(self, epoch):
        self.epoch = epoch

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        x = self.points[i] + self.rng.normal(0.0, self.jitter, size=2)
        return x.astype(np.float32), int(i)
