"""The gate compares champion and challenger on the feedback window itself, not on the golden set."""
CAUGHT_BY = ["test_gate_blocks_poison", "test_loop_reference"]


def feedback_loop(model, windows, golden, test, *, gate=True, k=2.0, epochs=5, lr=0.05, seed=0):
    registry = Registry()  # noqa: F821
    champion = copy.deepcopy(model)  # noqa: F821
    registry.promote(registry.register(champion))
    history = {"promoted": [], "version": [], "champion_golden": [], "challenger_golden": [], "served_test": []}
    for w, (X_w, y_w) in enumerate(windows):
        challenger = copy.deepcopy(champion)  # noqa: F821
        fit(challenger, X_w, y_w, epochs=epochs, lr=lr, seed=seed + w)  # noqa: F821
        version = registry.register(challenger)
        champ_acc = accuracy(champion, X_w, y_w)  # noqa: F821
        chall_acc = accuracy(challenger, X_w, y_w)  # noqa: F821
        ok = (not gate) or chall_acc >= champ_acc - promotion_margin(champ_acc, len(y_w), k)  # noqa: F821
        if ok:
            registry.promote(version)
            champion = challenger
        history["promoted"].append(bool(ok))
        history["version"].append(registry.production)
        history["champion_golden"].append(champ_acc)
        history["challenger_golden"].append(chall_acc)
        history["served_test"].append(accuracy(champion, *test))  # noqa: F821
    return history
