"""Tools for whoever writes or hands out the course, above the grader they use.

* :mod:`~course.authoring.selfcheck` proves a lab's tests: the reference scores full marks,
  the stub 0, every planted bug fails the tests that name it, and the spec is covered;
* :mod:`~course.authoring.mutate` measures the tests with mutation testing (mutants are
  checked edits of the reference, like planted bugs: :func:`course.labs.variants.apply_edits`);
* :mod:`~course.authoring.figures` draws the cards' figures from a lab's reference;
* :mod:`~course.authoring.release` builds the student edition and the Gradescope and GitHub
  Classroom packages.

``course dev`` (selfcheck, figures, mutate) and ``course release`` call them.
May import: :mod:`course.labs`, :mod:`course.grading`, :mod:`course.cards` and the base modules.
"""
