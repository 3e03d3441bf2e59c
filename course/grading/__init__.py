"""Grading untrusted lab code: a sandboxed child runs probes, the trusted parent judges.

A submission's path, one module per step:

* :mod:`~course.grading.testing` is the test files' API (``@graded`` probes and their checks,
  and their local run under plain pytest; re-exported as ``course.testing`` for lab authors);
  :mod:`~course.grading.spec` is what it builds, all the grader itself needs of it;
* :mod:`~course.grading.grade` loads a lab's tests, gets the reference outputs and oracle
  values, runs the student's children and judges each result;
* :mod:`~course.grading.strip` compiles the probes alone (no expected values reach the child);
* :mod:`~course.grading.runner` drives the children under time and size bounds, in a
  control group (:mod:`~course.grading.cgroup`), inside bubblewrap
  (:mod:`~course.grading.sandbox`) or behind the audit guard (:mod:`~course.grading.guard`);
* :mod:`~course.grading.child` runs in the sandbox: imports the student's file, runs the
  probes, sends plain data (:mod:`~course.grading.plain`);
* :mod:`~course.grading.compare` and the checks judge the data in the parent;
  :mod:`~course.grading.feedback` keeps hidden tests' expected values out of the message;
* :mod:`~course.grading.watch` re-checks on save (``course lab watch``);
* :mod:`~course.grading.classroom` grades a class (``feedback.md``, ``grades.csv``) and
  :mod:`~course.grading.class_report` draws the class report.

May import: :mod:`course.errors`, :mod:`course.content`, :mod:`course.files`,
:mod:`course.labs` (manifest, markers, variants) and, for the class report's concept table,
:mod:`course.cards`.
"""
