"""Resume that restores the models and RNGs but starts fresh Adam optimizers (moments lost)."""
CAUGHT_BY = ["test_resume_is_bitwise"]


def load_checkpoint(ckpt):
    import torch

    run = new_run(ckpt["seed"], **ckpt["config"])
    run["G"].load_state_dict(ckpt["G"])
    run["D"].load_state_dict(ckpt["D"])
    run["noise"].set_state(ckpt["noise"])
    torch.set_rng_state(ckpt["torch_rng"])
    np.random.set_state(ckpt["numpy_rng"])
    random.setstate(ckpt["python_rng"])
    run["step"] = ckpt["step"]
    run["loss_d"] = list(ckpt["loss_d"])
    run["loss_g"] = list(ckpt["loss_g"])
    return run
