"""The ``course`` command line (click). Heavy modules are imported inside commands, so
``course --help`` and the card commands never import torch or matplotlib.
"""

from __future__ import annotations

import click

from course.commands import cards as cards_cmd
from course.commands import common
from course.commands import dev as dev_cmd
from course.commands import export as export_cmd
from course.commands import grade as grade_cmd
from course.commands import lab as lab_cmd
from course.commands import study as study_cmd


@click.group(cls=common.Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--course-dir",
    type=click.Path(file_okay=False),
    envvar="COURSE_DIR",
    help="Course content to use (a folder with cards/ and labs/). Default: the built-in course.",
)
@click.version_option(package_name="mmd-course", prog_name="course")
def main(course_dir: str | None) -> None:
    """Model Monitoring and Debugging: flashcards, Anki decks and autograded labs.

    \b
    Learners:    course export anki -o course.apkg     (then File > Import in Anki)
                 course study                          (or study in the terminal)
    Students:    course lab list / start / check / hint
    Instructors: course grade, course release
    Authors:     course dev selfcheck / figures / mutate
    """


main.add_command(cards_cmd.cards)
main.add_command(export_cmd.export)
main.add_command(study_cmd.study)
main.add_command(lab_cmd.lab)
main.add_command(grade_cmd.grade)
main.add_command(grade_cmd.release)
main.add_command(dev_cmd.dev)
for alias in dev_cmd.ALIASES:
    lab_cmd.lab.add_command(alias)
