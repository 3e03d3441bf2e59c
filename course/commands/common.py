"""Shared CLI plumbing: one-line errors, the content root, the manifest, the console."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from course.errors import CourseError

if TYPE_CHECKING:
    from course.cards.parse import Card
    from course.labs.manifest import Manifest

COURSE_DIR_HELP = "Course content to use (a folder with cards/ and labs/). Default: the built-in course."


def _remember_course_dir(ctx: click.Context, _param, value):
    if value is not None:
        ctx.meta["course_dir"] = value  # ctx.meta is shared by the whole command chain
    return value


def course_dir_option() -> click.Option:
    """``--course-dir`` on a subcommand: the same as before it (``course --course-dir X cards lint``)."""
    return click.Option(["--course-dir"], type=click.Path(file_okay=False), expose_value=False,
                        callback=_remember_course_dir, help=COURSE_DIR_HELP)


class Group(click.Group):
    """Turns CourseError into ``error: ...`` on stderr and exit status 2, never a traceback.

    Every command added to such a group also accepts ``--course-dir``, so it may follow the
    subcommand as well as precede it.
    """

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not isinstance(cmd, click.Group) and not any(p.name == "course_dir" for p in cmd.params):
            cmd.params.append(course_dir_option())
        super().add_command(cmd, name)

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.ClickException as exc:  # a bad option of the group itself
            _report(exc)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.ClickException as exc:  # click's own: no such option, a bad value
            _report(exc)
        except CourseError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except OSError as exc:  # a folder where a file should be, a full disk, no permission
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {where}{exc.strerror or exc}", err=True)
            ctx.exit(2)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 card``, ``2 cards``, ``0 cards``."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def require_parent(option: str, path: Path) -> None:
    """Refuse an output whose folder does not exist, rather than create a mistyped path."""
    parent = Path(path).expanduser().absolute().parent
    if not parent.is_dir():
        raise CourseError(f"{option}: cannot write {path}: folder {parent} does not exist")


def _report(exc: click.ClickException):
    """Click's usage errors in the same one-line ``error: ...`` form as ours (not ``Error:``)."""
    hint = ""
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        hint = f" (see '{exc.ctx.command_path} --help')"
    message = exc.format_message()
    click.echo(f"error: {message.rstrip('.') if hint else message}{hint}", err=True)
    raise click.exceptions.Exit(exc.exit_code)


def root(ctx: click.Context) -> Path:
    from course.content import content_root

    return content_root(ctx.meta.get("course_dir") or ctx.find_root().params.get("course_dir"))


@dataclass
class CourseContent:
    """One command's course: the content root and the manifest, each resolved and loaded once,
    and the cards, parsed when first asked for (so option errors still come before card errors)."""

    root: Path
    manifest: Manifest

    @functools.cached_property
    def cards(self) -> list[Card]:
        from course.cards.parse import load_cards

        return load_cards(self.root, self.manifest.slugs)


def content(ctx: click.Context) -> CourseContent:
    from course.labs.manifest import load_manifest

    content_root = root(ctx)
    return CourseContent(content_root, load_manifest(content_root))


def select_cards(course: CourseContent, tags: tuple[str, ...], labs: tuple[str, ...]) -> list[Card]:
    """The cards chosen by ``--tag``/``--lab``: an unknown lab is an error, an unknown tag a warning."""
    from course.cards.select import select

    known = course.manifest.slugs
    all_cards = course.cards
    paired = {c.lab for c in all_cards if c.lab}
    for slug in labs:
        if slug not in known and slug not in paired:
            raise CourseError(f"--lab: unknown lab '{slug}' (labs: {', '.join(known) or 'none'})")
    for tag in tags:
        if not select(all_cards, (tag,)):
            click.echo(f"warning: --tag: no card has the tag '{tag}' (see 'course cards list --json' for tags)",
                       err=True)
    return select(all_cards, tuple(tags), tuple(labs))


def console():
    from rich.console import Console

    return Console(highlight=False)


def terminal_markdown(text: str):
    """Card Markdown for the terminal (rich), with math kept verbatim.

    Markdown would read LaTeX's backslashes (``\\,``, ``\\frac``) as escapes and drop them.
    """
    import re

    from rich.markdown import Markdown

    return Markdown(re.sub(r"\$\$.+?\$\$|\$[^$\n]+\$", lambda m: m.group(0).replace("\\", "\\\\"), text, flags=re.S))
