"""The render pipeline: placeholders, Liquid, Markdown, absolute URLs, sanitising."""

from __future__ import annotations

from dataclasses import dataclass

import markdown
import nh3

from syndicate.model import Problem
from syndicate.render.summary import summarize


@dataclass(frozen=True, slots=True)
class RenderContext:
    base_url: str  # the site's canonical base URL, no trailing slash
    page_url: str  # the post's absolute URL, for relative links
    source: str  # the post's path relative to the site, for problems
    language_code: str = "en"
    dateline: str | None = None
    summary_limit: int = 280


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    summary: str  # plain text: first paragraph, cut at a word boundary
    problems: tuple[Problem, ...] = ()


def render_body(body: str, ctx: RenderContext) -> Rendered:
    html = markdown.markdown(body, extensions=["attr_list"])
    html = nh3.clean(html)
    return Rendered(html=html, summary=summarize(html, ctx.language_code, ctx.summary_limit))
