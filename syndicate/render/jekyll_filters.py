"""The filters Jekyll adds to Liquid (https://jekyllrb.com/docs/liquid/filters/), as small
functions for python-liquid. Liquid's own filters come with python-liquid."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

from liquid.builtin.expressions import BooleanExpression, tokenize
from liquid.filter import with_context
from liquid.stream import TokenStream
from liquid.token import TOKEN_EXPRESSION, Token
from liquid.undefined import is_undefined

_SLUG_DEFAULT = re.compile(r"[^\w]+")  # Jekyll's "default" mode keeps letters and digits of any script
_SLUG_PRETTY = re.compile(r"[^\w._~!$&'()+,;=@]+")
_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"\S+")


def jekyll_filters(markdownify: Callable[[str], str], smartify: Callable[[str], str]) -> dict[str, Callable]:
    """Filter name -> function; the Markdown converters come from the render pipeline."""
    return {
        "relative_url": relative_url,
        "absolute_url": absolute_url,
        "markdownify": lambda value: markdownify(_text(value)),
        "smartify": lambda value: smartify(_text(value)),
        "slugify": slugify,
        "jsonify": jsonify,
        "xml_escape": lambda value: html.escape(_text(value), quote=True),
        "cgi_escape": lambda value: quote_plus(_text(value)),
        "uri_escape": lambda value: quote(_text(value), safe="!#$&'()*+,/:;=?@[]~"),
        "normalize_whitespace": lambda value: _WHITESPACE.sub(" ", _text(value)),
        "number_of_words": lambda value, mode=None: len(_WORD.findall(_text(value))),
        "array_to_sentence_string": array_to_sentence_string,
        "where": where,
        "where_exp": where_exp,
        "group_by": group_by,
        "date_to_xmlschema": lambda value: _date(value, "%Y-%m-%dT%H:%M:%S%z"),
        "date_to_rfc822": lambda value: _date(value, "%a, %d %b %Y %H:%M:%S %z"),
        "date_to_string": lambda value, *_: _date(value, "%d %b %Y"),
        "date_to_long_string": lambda value, *_: _date(value, "%d %B %Y"),
        "to_integer": lambda value: int(float(value)) if _text(value).strip() else 0,
        "push": lambda items, item: [*_items(items), item],
        "pop": lambda items, n=1: list(_items(items))[: -int(n) or None],
        "shift": lambda items, n=1: list(_items(items))[int(n):],
        "unshift": lambda items, item: [item, *_items(items)],
        "inspect": lambda value: json.dumps(value, default=str, ensure_ascii=False),
    }


def _text(value: Any) -> str:
    return "" if value is None or is_undefined(value) else str(value)


def _items(value: Any) -> list[Any]:
    if value is None or is_undefined(value):
        return []
    if isinstance(value, Mapping):
        return list(value.values())
    return list(value) if isinstance(value, list | tuple) else [value]


@with_context
def relative_url(value: Any, *, context: Any) -> str:
    return _relative(_text(value), context.resolve("site", default={}))


@with_context
def absolute_url(value: Any, *, context: Any) -> str:
    site = context.resolve("site", default={})
    path = _relative(_text(value), site)
    return path if "//" in path else _text(site.get("url")).rstrip("/") + path


def _relative(path: str, site: Mapping[str, Any]) -> str:
    """`path` under the site's `baseurl`; full URLs are left alone."""
    if "://" in path or path.startswith("//"):
        return path
    base = _text(site.get("baseurl")).strip("/")
    return ("/" + base if base else "") + "/" + path.lstrip("/")


def slugify(value: Any, mode: str = "default") -> str:
    text = _text(value)
    if mode == "none":
        return text
    if mode == "raw":
        slug = _WHITESPACE.sub("-", text)
    elif mode == "pretty":
        slug = _SLUG_PRETTY.sub("-", text)
    else:
        slug = _SLUG_DEFAULT.sub("-", text).replace("_", "-")
    return slug.strip("-").lower()


def jsonify(value: Any) -> str:
    return json.dumps(None if is_undefined(value) else value, default=str, ensure_ascii=False,
                      separators=(",", ":"))


def array_to_sentence_string(value: Any, connector: str = "and") -> str:
    items = [_text(item) for item in _items(value)]
    if len(items) <= 2:
        return f" {connector} ".join(items)
    return f"{', '.join(items[:-1])}, {connector} {items[-1]}"


def where(items: Any, key: Any, value: Any = None) -> list[Any]:
    """Jekyll's `where`: a property equal to the value, or an array property holding it,
    compared as strings."""
    wanted = _text(value)
    found = []
    for item in _items(items):
        prop = item.get(key) if isinstance(item, Mapping) else None
        values = prop if isinstance(prop, list | tuple) else [prop]
        if any(_text(candidate) == wanted for candidate in values):
            found.append(item)
    return found


@with_context
def where_exp(items: Any, variable: Any, expression: Any, *, context: Any) -> list[Any]:
    """Jekyll's `where_exp`: the items for which the Liquid condition `expression` holds, each
    item named `variable` in it (`where_exp: "post", "post.year > 2017 and post.tags contains 'x'"`)."""
    condition = _condition(context.env, _text(expression))
    found = []
    for item in _items(items):
        with context.extend({_text(variable): item}):
            if condition.evaluate(context):
                found.append(item)
    return found


@lru_cache(maxsize=256)
def _condition(env: Any, expression: str) -> BooleanExpression:
    """The expression parsed as an `{% if %}` tag's, once per environment."""
    token = Token(TOKEN_EXPRESSION, expression, 0, expression)
    return BooleanExpression.parse(env, TokenStream(tokenize(expression, token)))


def group_by(items: Any, key: Any) -> list[dict[str, Any]]:
    groups: dict[str, list[Any]] = {}
    for item in _items(items):
        groups.setdefault(_text(item.get(key) if isinstance(item, Mapping) else None), []).append(item)
    return [{"name": name, "items": members, "size": len(members)} for name, members in groups.items()]


def _date(value: Any, pattern: str) -> str:
    if isinstance(value, datetime | date):
        return value.strftime(pattern)
    return _text(value)
