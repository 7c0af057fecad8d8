"""Markdown to HTML the way Jekyll's kramdown does it, on markdown-it-py (measured fastest
of the pure-Python CommonMark parsers that keep raw HTML; see the report in pipeline.py)."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

from syndicate.render.ial import ial_plugin


def _kramdown_id(title: str) -> str:
    """kramdown's auto_ids: ASCII letters, digits and dashes; `section` when nothing is left."""
    slug = re.sub(r"[^a-zA-Z0-9 -]", "", re.sub(r"^[^a-zA-Z]+", "", title))
    return slug.replace(" ", "-").lower() or "section"


# Built once: render() keeps no state between calls. kramdown's defaults: raw HTML kept,
# smart quotes and `--`/`...` typography on (existing “curly” quotes are left alone),
# tables on, no autolinking of bare URLs, an id on every heading.
_MARKDOWN = (
    MarkdownIt("commonmark", {"html": True, "typographer": True})
    .enable(["table", "replacements", "smartquotes"])
    .use(ial_plugin)
    .use(anchors_plugin, min_level=1, max_level=6, slug_func=_kramdown_id)
)


def markdown_to_html(text: str) -> str:
    return _MARKDOWN.render(text)
