"""The lab format: what a lab folder holds and what the engine makes of it.

* :mod:`~course.labs.manifest` reads ``labs/manifest.toml`` and each ``lab.toml``;
* :mod:`~course.labs.markers` clears solution blocks (nbgrader-style markers);
* :mod:`~course.labs.variants` makes the stub, the reference and the planted bugs from the
  one marked source;
* :mod:`~course.labs.hints` reads a task's hints;
* :mod:`~course.labs.structure` checks a lab folder's shape and points;
* :mod:`~course.labs.workspace` is a student's workspace and progress file.

The tools that run a lab's tests (selfcheck, mutation testing, figures, releases) are in
:mod:`course.authoring`, above the grader.

May import: :mod:`course.errors`, :mod:`course.content`, :mod:`course.files`. Nothing above.
"""
