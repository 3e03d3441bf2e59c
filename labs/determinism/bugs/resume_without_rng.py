"""Resume that restores models and optimizers but no RNG state: the noise stream restarts."""
CAUGHT_BY = ["test_resume_is_bitwise", "test_resume_restores_every_rng"]


def load_checkpoint(ckpt):
    run = new_run(ckpt["seed"], **ckpt["config"])
    run["G"].load_state_dict(ckpt["G"])
    run["D"].load_state_dict(ckpt["D"])
    run["opt_g"].load_state_dict(ckpt["opt_g"])
    run["opt_d"].load_state_dict(ckpt["opt_d"])
    run["step"] = ckpt["step"]
    run["loss_d"] = list(ckpt["loss_d"])
    run["loss_g"] = list(ckpt["loss_g"])
    return run
