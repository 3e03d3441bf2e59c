"""Hints per task from a lab's ``hints.md`` (``## Task N`` sections)."""

from __future__ import annotations

import re

from course.errors import CourseError
from course.labs.manifest import Lab


def hints_for(lab: Lab, task: int) -> str:
    if not lab.hints_file.is_file():
        raise CourseError(f"lab {lab.slug} has no hints")
    sections = re.split(r"(?m)^## ", lab.hints_file.read_text(encoding="utf-8"))
    for section in sections:
        head, _, body = section.partition("\n")
        match = re.match(r"Task\s+(\d+)", head.strip(), re.I)
        if match and int(match.group(1)) == task:
            return f"## {head.strip()}\n{body.strip()}\n"
    raise CourseError(f"{lab.hints_file}: no '## Task {task}' section")
