"""A checkpoint holding live references (state_dict() without a deep copy).

Training on after saving updates the saved weights and Adam moments in place, so the
"checkpoint" silently becomes a later state.
"""
CAUGHT_BY = ["test_resume_is_bitwise"]


def save_checkpoint(run):
    import torch

    return {
        "seed": run["seed"], "config": run["config"], "step": run["step"],
        "loss_d": list(run["loss_d"]), "loss_g": list(run["loss_g"]),
        "G": run["G"].state_dict(), "D": run["D"].state_dict(),
        "opt_g": run["opt_g"].state_dict(), "opt_d": run["opt_d"].state_dict(),
        "noise": run["noise"].get_state(), "torch_rng": torch.get_rng_state(),
        "numpy_rng": np.random.get_state(), "python_rng": random.getstate(),
    }
