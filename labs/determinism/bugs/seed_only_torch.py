"""seed_everything that seeds torch only: random and numpy keep drawing unseeded numbers."""
CAUGHT_BY = ["test_seed_everything_draws"]


def seed_everything(seed):
    import torch

    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
