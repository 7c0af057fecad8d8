"""The render pipeline: Liquid, placeholders, Markdown, sanitising and absolute URLs.

Where the site has `_includes/`, its Liquid is rendered with the site's own templates
(includes.py) and each include's output is made fit for feeds (feedfit.py); elsewhere the
built-in media handlers stand in for includes (liquid.py, media.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from html import escape
from typing import TYPE_CHECKING, Any

from syndicate.model import BackgroundImage, Media, Post, Problem
from syndicate.render.jekyll_page import page_variables
from syndicate.render.kramdown import markdown_to_html, smartify
from syndicate.render.liquid import expand_liquid
from syndicate.render.media import embed_iframes
from syndicate.render.sanitize import sanitize
from syndicate.render.summary import summarize
from syndicate.render.urls import absolute_url
from syndicate.text import xml_safe

if TYPE_CHECKING:
    from syndicate.config import Settings
    from syndicate.render.includes import Expanded
    from syndicate.render.post_list import PostList

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
    dateline_joiner: str = " —"
    includes_dir: str | None = None  # the site's `_includes/`, when it has one
    includes_version: str = ""  # a digest of that folder: templates are re-read when it changes
    site: Mapping[str, Any] = field(default_factory=dict)  # `site.*` for Liquid
    page: Mapping[str, Any] = field(default_factory=dict)  # `page.*` for Liquid
    background_image: BackgroundImage | None = None
    youtube: str | None = None  # the post's video (front matter `youtube`), shown before the body
    title: str = ""  # the post's title, the video's alt text
    posts: PostList | None = None  # `site.posts`; None: not made yet (see post_list.py)


def render_context(settings: Settings, post: Post, meta: Mapping[str, Any] | None, body_line: int,
                   posts: PostList | None = None) -> RenderContext:
    """Everything rendering one post's body needs from the site's settings and the post;
    `posts`: `site.posts` (post_list.py), when made."""
    return RenderContext(
        base_url=settings.base_url, page_url=post.url, source=post.source,
        language_code=settings.language(post.language).code, dateline=post.dateline,
        summary_limit=settings.summary_limit, body_line=body_line, dateline_joiner=settings.dateline_joiner,
        includes_dir=settings.includes_dir, includes_version=settings.includes_digest, site=settings.site_variables,
        page=page_variables(post, meta or {}), background_image=settings.background_image,
        youtube=post.youtube, title=post.title, posts=posts,
    )


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    summary: str  # plain text: first paragraph, cut at a word boundary
    problems: tuple[Problem, ...] = ()
    media: tuple[Media, ...] = ()  # figures and videos made from includes, then from iframes
    post_list: str | None = None  # the digest of `site.posts`, when the body read it


def render_body(body: str, ctx: RenderContext) -> Rendered:
    # Illegal characters go first: nh3 (Rust) cannot take lone surrogates. Commented-out
    # markup (often a whole include) never reaches a reader, so its includes are neither
    # rendered nor reported; newlines are kept so problems keep their line numbers.
    body = _HTML_COMMENT.sub(lambda match: "\n" * match.group().count("\n"), xml_safe(body))
    if ctx.includes_dir:
        # python-liquid loads only for sites with templates: its import is a tenth of a second.
        from syndicate.render.includes import render_liquid, restore

        liquid = render_liquid(body, includes_dir=ctx.includes_dir, site=ctx.site, page=ctx.page,
                               source=ctx.source, first_line=ctx.body_line,
                               markdownify=markdown_to_html, smartify=smartify,
                               includes_version=ctx.includes_version, posts=ctx.posts)
        post_list = liquid.post_list
        liquid, problems, videos = _fit_includes(liquid, ctx)
        text, found = embed_iframes(liquid.text)
        html = restore(markdown_to_html(text), liquid.includes)
        media = tuple(videos) + tuple(found)
    else:
        expanded = expand_liquid(body, ctx.base_url, ctx.source, ctx.body_line)
        text, found = embed_iframes(expanded.text)
        html, problems, media = markdown_to_html(text), expanded.problems, expanded.media + tuple(found)
        post_list = None
    if ctx.youtube and ctx.youtube not in html:  # a reader that shows only content still gets the video
        html = _video_first(ctx.youtube, ctx.title) + html
    # Like the site's layout, the placeholder is filled in the HTML that Markdown made.
    dateline = _dateline(ctx.dateline, ctx.dateline_joiner)
    html = _DATELINE.sub(lambda _: dateline, html)
    html = sanitize(html, ctx.base_url, ctx.page_url)
    return Rendered(
        html=html,
        summary=summarize(html, ctx.language_code, ctx.summary_limit),
        problems=problems,
        media=media,
        post_list=post_list,
    )


def _fit_includes(liquid: Expanded, ctx: RenderContext) -> tuple[Expanded, tuple[Problem, ...], list[Media]]:
    """Each include's output fit for feeds; one left with nothing for a reader is dropped and reported."""
    from syndicate.render.feedfit import fit_for_feed

    background = _background(ctx)
    spacers = ctx.background_image.spacers if ctx.background_image else ()
    outputs, problems, videos = [], list(liquid.problems), []
    for output in liquid.includes:
        markup, found = embed_iframes(output.html)
        videos.extend(found)
        markup, dropped = fit_for_feed(markup, block=output.block, background=background, spacers=spacers)
        if dropped:
            problems.append(Problem(ctx.source, f"include {output.name}: {dropped}, dropped", severity="warning",
                                    line=output.line))
        outputs.append(replace(output, html=markup))
    return replace(liquid, includes=tuple(outputs)), tuple(problems), videos


def _video_first(video_id: str, title: str) -> str:
    """The post's video as its layout shows it above the body: here its thumbnail, linked to the
    watch page, and the watch page's address as a link of its own."""
    watch = f"https://www.youtube.com/watch?v={video_id}"
    image = f'<img src="https://i.ytimg.com/vi/{video_id}/hqdefault.jpg" alt="{escape(title) or "Video"}">'
    return f'<figure class="video"><a href="{watch}">{image}</a><figcaption><a href="{watch}">{watch}</a></figcaption></figure>\n'


def _background(ctx: RenderContext) -> str | None:
    """The photo the page's CSS draws behind its spacer images, as an absolute URL."""
    rule = ctx.background_image
    value = ctx.page.get(rule.field) if rule else None
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if "://" not in value and not value.startswith("/"):
        value = rule.base.rstrip("/") + "/" + value
    return absolute_url(value, ctx.base_url)


def _dateline(dateline: str | None, joiner: str = " —") -> str:
    """`BANGKOK — ` in a span, or nothing (the placeholder and its space vanish)."""
    place = " ".join(xml_safe(dateline or "").split()).upper()
    return f'<span class="dateline">{escape(place)}{escape(joiner.rstrip())}</span> ' if place else ""
