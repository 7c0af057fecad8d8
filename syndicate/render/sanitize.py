"""Allow-list sanitising (nh3) and the last steps that make HTML safe to put in a feed."""

from __future__ import annotations

import html
import re
from types import MappingProxyType
from urllib.parse import unquote

import nh3

from syndicate.render.urls import resolve_srcset, resolve_url
from syndicate.text import xml_safe

_TAGS = frozenset(
    "a abbr b blockquote br caption cite code dd del dfn div dl dt em figcaption figure "
    "h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub "
    "sup table tbody td tfoot th thead tr u ul".split()
)
_ATTRIBUTES = MappingProxyType(
    {
        "*": frozenset({"class", "id", "lang", "dir", "title"}),
        "a": frozenset({"href"}),
        "img": frozenset({"src", "alt", "width", "height", "srcset"}),
        "ol": frozenset({"start"}),
        "td": frozenset({"colspan", "rowspan"}),
        "th": frozenset({"colspan", "rowspan", "scope"}),
    }
)
# Removed with their content; iframes have already become links where they were YouTube.
_DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "noscript", "template", "object"})
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})

# html5ever writes every attribute value in double quotes with `"` escaped, so this
# matches exactly the <a> elements it serialised (which never nest).
_ANCHOR = re.compile(r'<a((?:\s+[^\s=>]+(?:="[^"]*")?)*)>(.*?)</a>', re.S)
_HREF = re.compile(r'\shref="([^"]*)"')
# An image whose src was unsafe or unresolvable shows nothing but a broken frame.
_IMAGE_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
# Liquid and kramdown delimiters left in the text (from `{% raw %}` or a stray brace) are
# written as character references, so no later Liquid or Jekyll pass can take them for code.
_DELIMITER = re.compile(r"\{(?=[{%:])|(?<=[}%])\}")
_DELIMITERS = ("{{", "{%", "{:", "%}", "}}")


def sanitize(markup: str, base_url: str, page_url: str) -> str:
    """Only allowed tags and attributes, every URL absolute http(s), feed-safe text."""
    ids: set[str] = set()

    def attribute(tag: str, name: str, value: str) -> str | None:
        # nh3 checks URL schemes before this filter runs, not after: what it returns is final.
        if name == "id":
            ids.add(value)
        elif name == "href":
            return value if value.startswith("#") else resolve_url(value, base_url, page_url, _LINK_SCHEMES)
        elif name == "src":
            return resolve_url(value, base_url, page_url)
        elif name == "srcset":
            return resolve_srcset(value, base_url, page_url)
        return value

    markup = nh3.clean(
        markup,
        tags=_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=dict(_ATTRIBUTES),
        attribute_filter=attribute,
        link_rel=None,  # no target attribute is allowed, so there is no opener to protect
        url_schemes=_LINK_SCHEMES,
    )
    markup = _ANCHOR.sub(lambda match: _live_anchor(match, ids, page_url), markup)
    if "<img" in markup:
        markup = _IMAGE_WITHOUT_SRC.sub("", markup)
    # html5ever writes U+00A0 as &nbsp;, an entity XML does not define.
    markup = xml_safe(markup.replace("&nbsp;", "&#160;"))
    if any(delimiter in markup for delimiter in _DELIMITERS):  # rare; the regex is slow
        markup = _DELIMITER.sub(lambda match: "&#123;" if match.group() == "{" else "&#125;", markup)
    return markup


def _live_anchor(match: re.Match[str], ids: set[str], page_url: str) -> str:
    """The link, or just its text when it goes nowhere: no href, or `#id` of no element.

    A live in-page link is made absolute too: feed readers resolve `#id` against the feed.
    """
    href = _HREF.search(match.group(1))
    if href is None:
        return match.group(2)
    target = html.unescape(href.group(1))
    if not target.startswith("#"):
        return match.group(0)
    if unquote(target[1:]) not in ids:
        return match.group(2)
    absolute = html.escape(page_url.split("#")[0] + target)
    return match.group(0).replace(href.group(0), f' href="{absolute}"', 1)
