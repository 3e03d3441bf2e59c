"""A checkpoint holding live references (state_dict() without a deep copy).

Training on after saving updates the saved weights and Adam moments in place, so the
"checkpoint" silently becomes a later state.
"""
CAUGHT_BY = ["test_resume_is_bitwise"]

REPLACE = [
    ("    return copy.deepcopy(ckpt)", "    return ckpt  # live references to the tensors"),
]
