"""The one exception type the CLI turns into a one-line message and a non-zero exit."""


class CourseError(Exception):
    """A user-facing error: bad input, a missing file, a wrong option.

    The message should name the file and line (``path:line: message``) or the option.
    """
