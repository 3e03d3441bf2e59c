"""The gate compares champion and challenger on the feedback window itself, not on the golden set."""
CAUGHT_BY = ["test_gate_blocks_poison", "test_loop_reference"]

REPLACE = [
    (
        """\
        champ_acc = accuracy(champion, *golden)
        chall_acc = accuracy(challenger, *golden)
        ok = (not gate) or chall_acc >= champ_acc - promotion_margin(champ_acc, len(golden[1]), k)""",
        """\
        champ_acc = accuracy(champion, X_w, y_w)
        chall_acc = accuracy(challenger, X_w, y_w)
        ok = (not gate) or chall_acc >= champ_acc - promotion_margin(champ_acc, len(y_w), k)""",
    ),
]
