"""Post bodies (kramdown-flavoured Markdown with Liquid) to safe, absolute HTML. Pure but for
reading the site's `_includes/` templates, once per process.

The public surface used by the rest of syndicate:
- render_context(settings, post, meta, body_line, posts) -> RenderContext, render_body(body, ctx) -> Rendered(html, summary, problems, media, post_list)
- absolute_url(value, base) -> str | None   (repairs or rejects front-matter URLs)
- summarize(text, language_code, limit) -> str

Stages, one module each: includes (+ jekyll_filters, jekyll_page, post_list, feedfit) where the site has
`_includes/`, else liquid (+ media) -> kramdown (+ ial, typography) -> sanitize (+ urls) -> summary;
pipeline runs them in that order.
"""

from syndicate.render.summary import summarize
from syndicate.render.urls import absolute_url

__all__ = ["RenderContext", "Rendered", "absolute_url", "render_body", "render_context", "summarize"]


def __getattr__(name: str):
    # The Markdown and sanitiser libraries load on first use: a build with nothing to render
    # (the common case) never imports them.
    if name in ("RenderContext", "Rendered", "render_body", "render_context"):
        from syndicate.render import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'syndicate.render' has no attribute {name!r}")
