"""The lab authors' testing API, under its stable name: ``from course.testing import graded, ...``.

The implementation lives in :mod:`course.grading.testing`; lab test files import it from here so
that a change in the engine's layout never reaches them.
"""

from course.grading.testing import *  # noqa: F403
from course.grading.testing import __all__  # noqa: F401
