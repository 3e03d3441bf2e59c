"""insert moves the entry point to a new node whose level only EQUALS the current top (>= instead of >)."""
CAUGHT_BY = ["test_insert_given_levels_and_empty_search"]

REPLACE = [
    (
        """\
# ---------------------------------------------------------------------------------------------
# Task 5: measurement (ann-benchmarks style)""",
        """\
_reference_insert = HNSW.insert


def _insert(self, x, level=None):
    top = self.levels[self.entry_point] if self.entry_point is not None else None
    if level is None:
        level = random_level(1.0 - self.rng.random(), self.mL)
    node = _reference_insert(self, x, level)
    if top is not None and level == top:
        self.entry_point = node
    return node


HNSW.insert = _insert


# ---------------------------------------------------------------------------------------------
# Task 5: measurement (ann-benchmarks style)""",
    ),
]
