"""The lab format: what a lab folder holds and what the engine makes of it.

* :mod:`~course.labs.manifest` reads ``labs/manifest.toml`` and each ``lab.toml``;
* :mod:`~course.labs.markers` clears solution blocks (nbgrader-style markers);
* :mod:`~course.labs.variants` makes the stub, the reference and the planted bugs from the
  one marked source;
* :mod:`~course.labs.hints` reads a task's hints;
* :mod:`~course.labs.structure` checks a lab folder's shape and points;
* :mod:`~course.labs.selfcheck` proves a lab's tests (reference full, stub 0, bugs caught,
  spec coverage) and :mod:`~course.labs.mutate` measures them with mutation testing;
* :mod:`~course.labs.release` builds the student edition and the Gradescope and GitHub
  Classroom packages.

May import: :mod:`course.errors`, :mod:`course.content`, :mod:`course.files`; the author tools
(selfcheck, mutate, release) also use :mod:`course.grading` to run a lab's tests and
:mod:`course.cards` to check the task pairing.
"""
