"""EWC penalty without the 1/2: gradient 2 lambda F (theta - theta*), twice the stated one."""
CAUGHT_BY = ["test_ewc_penalty_grad"]


def ewc_penalty(model, anchor, fisher, lam):
    import torch

    theta = torch.cat([p.reshape(-1) for p in model.parameters()])
    return lam * torch.sum(torch.as_tensor(fisher, dtype=theta.dtype) * (theta - torch.as_tensor(anchor, dtype=theta.dtype)) ** 2)
