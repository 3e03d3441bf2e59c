"""Grading untrusted lab code: a sandboxed child runs probes, the trusted parent judges.

* :mod:`course.grading.child` runs inside the sandbox and sends plain data back.
* :mod:`course.grading.sandbox` builds the child's command line (bubblewrap or fallback).
* :mod:`course.grading.runner` drives children, enforcing timeouts and restarting after crashes.
* :mod:`course.grading.grade` scores a lab and writes Gradescope-style results.
"""
