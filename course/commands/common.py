"""Shared CLI plumbing: one-line errors, the content root, the manifest, the console."""

from __future__ import annotations

from pathlib import Path

import click

from course.errors import CourseError


class Group(click.Group):
    """Turns CourseError into ``error: ...`` on stderr and exit status 2, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
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


def root(ctx: click.Context) -> Path:
    from course.content import content_root

    return content_root(ctx.find_root().params.get("course_dir"))


def manifest(ctx: click.Context):
    from course.manifest import load_manifest

    return load_manifest(root(ctx))


def load_all_cards(ctx: click.Context):
    from course.cards import load_cards

    return load_cards(root(ctx), manifest(ctx).slugs)


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
