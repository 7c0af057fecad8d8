"""The render pipeline: Liquid, placeholders, Markdown, sanitising and absolute URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from syndicate.model import Media, Problem
from syndicate.render.kramdown import markdown_to_html
from syndicate.render.liquid import expand_liquid
from syndicate.render.media import embed_iframes
from syndicate.render.sanitize import sanitize
from syndicate.render.summary import summarize
from syndicate.text import xml_safe

_DATELINE = re.compile(r"\$DATELINE\$[ \t]*")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True, slots=True)
class RenderContext:
    base_url: str  # the site's canonical base URL, no trailing slash
    page_url: str  # the post's absolute URL, for relative links
    source: str  # the post's path relative to the site, for problems
    language_code: str = "en"
    dateline: str | None = None
    summary_limit: int = 280
    body_line: int = 1  # the line of the source file the body starts on, for problems


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    summary: str  # plain text: first paragraph, cut at a word boundary
    problems: tuple[Problem, ...] = ()
    media: tuple[Media, ...] = ()  # figures and videos made from includes, then from iframes


def render_body(body: str, ctx: RenderContext) -> Rendered:
    # Illegal characters go first: nh3 (Rust) cannot take lone surrogates. Commented-out
    # markup (often a whole include) never reaches a reader, so its includes are neither
    # rendered nor reported; newlines are kept so problems keep their line numbers.
    body = _HTML_COMMENT.sub(lambda match: "\n" * match.group().count("\n"), xml_safe(body))
    liquid = expand_liquid(body, ctx.base_url, ctx.source, ctx.body_line)
    text, videos = embed_iframes(liquid.text)
    # Like the site's layout, the placeholder is filled in the HTML that Markdown made.
    dateline = _dateline(ctx.dateline)
    html = _DATELINE.sub(lambda _: dateline, markdown_to_html(text))
    html = sanitize(html, ctx.base_url, ctx.page_url)
    return Rendered(
        html=html,
        summary=summarize(html, ctx.language_code, ctx.summary_limit),
        problems=liquid.problems,
        media=liquid.media + tuple(videos),
    )


def _dateline(dateline: str | None) -> str:
    """`BANGKOK — ` in a span, or nothing (the placeholder and its space vanish)."""
    place = " ".join(xml_safe(dateline or "").split()).upper()
    return f'<span class="dateline">{escape(place)} —</span> ' if place else ""
