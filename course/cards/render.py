"""Card Markdown to Anki HTML: markdown-it-py, math kept for MathJax, code via Pygments.

Math is parsed by the dollarmath plugin, so the Markdown pass never touches it, and
emitted as ``\\( \\)`` / ``\\[ \\]`` (Anki does not read ``$``). Code is highlighted at
build time with CSS classes; the note type's CSS carries light and night palettes.
"""

from __future__ import annotations

import functools
import html
import re
from typing import Callable

_CLOZE_RE = re.compile(r"\{\{c\d+::")


@functools.lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": False, "highlight": _highlight}).enable("table").enable("strikethrough")
    md.use(
        dollarmath_plugin,
        allow_labels=False,
        allow_space=True,
        allow_digits=True,
        double_inline=True,
        renderer=_math,
    )
    return md


def _math(content: str, options: dict) -> str:
    body = html.escape(content.strip(), quote=False)
    return f"\\[{body}\\]" if options.get("display_mode") else f"\\({body}\\)"


@functools.lru_cache(maxsize=None)
def _formatter():
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


@functools.lru_cache(maxsize=64)
def _lexer(lang: str):
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang or "text")
    except ClassNotFound:
        return get_lexer_by_name("text")


def _highlight(code: str, lang: str, attrs: str) -> str:
    from pygments import highlight

    # Starts with <pre, so markdown-it uses it as is instead of wrapping it again.
    return f'<pre class="highlight"><code>{highlight(code, _lexer(lang), _formatter())}</code></pre>\n'


def to_html(markdown_text: str, image_src: Callable[[str], str] | None = None) -> str:
    """Render one card side. ``image_src`` maps a Markdown image path to its media name."""
    env: dict = {}
    md = _markdown()
    tokens = md.parse(markdown_text, env)
    if image_src is not None:
        for token in tokens:
            for child in token.children or []:
                if child.type == "image":
                    child.attrSet("src", image_src(child.attrGet("src") or ""))
    return md.renderer.render(tokens, md.options, env).strip()


@functools.lru_cache(maxsize=1)
def card_css() -> str:
    """Note-type CSS: readable in day and night mode, Pygments palettes for both."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="default").get_style_defs(".highlight")
    dark = HtmlFormatter(style="monokai").get_style_defs([".nightMode .highlight", ".night_mode .highlight"])
    base = """
.card { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; font-size: 20px;
        line-height: 1.45; text-align: left; color: #1d1d1f; background: #ffffff; max-width: 46em; margin: 0 auto; }
.card.nightMode, .card.night_mode, .nightMode .card { color: #e8e8ea; background: #1e1e20; }
code { font-family: "JetBrains Mono", Menlo, Consolas, monospace; font-size: 0.85em; }
:not(pre) > code { background: rgba(127, 127, 127, 0.15); padding: 0.05em 0.3em; border-radius: 4px; }
.highlight { padding: 0.6em 0.8em; border-radius: 6px; overflow-x: auto; font-size: 0.8em; line-height: 1.35; }
.nightMode .highlight, .night_mode .highlight { background: #272822; }
img { max-width: 100%; height: auto; }
.nightMode img, .night_mode img { background: #ffffff; border-radius: 4px; }
.cloze { font-weight: bold; color: #0a58ca; }
.nightMode .cloze, .night_mode .cloze { color: #7ab7ff; }
.meta { margin-top: 1.2em; font-size: 0.7em; color: #6e6e73; }
.nightMode .meta, .night_mode .meta { color: #a1a1a6; }
table { border-collapse: collapse; } td, th { border: 1px solid #8884; padding: 0.2em 0.5em; }
"""
    return base.strip() + "\n" + light + "\n" + dark + "\n"
