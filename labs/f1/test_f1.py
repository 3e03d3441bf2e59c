from course.testing import graded, REFERENCE
import numpy as np

@graded(task=1, points=2, expect=[[1, 0], [1, 1]])
def test_small(lab):
    return lab.confusion_counts([0, 1, 1], [0, 1, 0], labels=[0, 1])

### BEGIN HIDDEN TESTS
@graded(task=1, points=2, expect=REFERENCE)
def test_random(lab):
    rng = np.random.default_rng(0)
    return lab.confusion_counts(rng.integers(0, 3, 50).tolist(), rng.integers(0, 3, 50).tolist(), labels=[0, 1, 2])
### END HIDDEN TESTS
