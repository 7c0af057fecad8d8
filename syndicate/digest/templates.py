"""The digest's Jinja templates: HTML (autoescaped) and plain text, filled from a DigestView."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, StrictUndefined, select_autoescape

from syndicate.digest.compose import DigestView
from syndicate.digest.wrap import wrap
from syndicate.sources import template_environment, templates_dir

STYLESHEET = "digest.css"
HEAD_STYLESHEET = "digest-head.css"  # copied into <head> as it is, not inlined


@cache
def _environment() -> Environment:
    env = template_environment(
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters["wrap"] = wrap  # at spaces, zero-width spaces and grapheme clusters, for Khmer
    return env


def render_html(view: DigestView) -> str:
    """The HTML before inlining: classes only, the stylesheet is applied by inline.inline_css."""
    return _environment().get_template("digest.html.j2").render(d=view, head_css=head_stylesheet())


def render_text(view: DigestView) -> str:
    text = _environment().get_template("digest.txt.j2").render(d=view)
    return "\n".join(line.rstrip() for line in text.strip().splitlines()) + "\n"


@cache
def stylesheet() -> str:
    return (templates_dir() / STYLESHEET).read_text(encoding="utf-8")


@cache
def head_stylesheet() -> str:
    return (templates_dir() / HEAD_STYLESHEET).read_text(encoding="utf-8")
