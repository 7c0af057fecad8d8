"""Plain-text summaries: the lead paragraph, cut at a word (or, for scripts written without
spaces, a segment) boundary, never inside a grapheme cluster."""

from __future__ import annotations

import html
import re

import regex

from syndicate.text import xml_safe

_PARAGRAPH = re.compile(r"<p(\s[^>]*)?>(.*?)</p>", re.S)
_DATELINE = re.compile(r'<span class="dateline">.*?</span>', re.S)
_BREAKING_TAG = re.compile(r"<(?:br|/?(?:p|div|li|h[1-6]|figure|figcaption|blockquote|t[rdh]|d[dt]|pre|hr))\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"[ \t\n\r\f]+")  # ASCII only: no-break and zero-width spaces stay
# Where a line may break: spaces (not the no-break ones) and U+200B ZERO WIDTH SPACE,
# which Khmer, Thai, Lao and Burmese text uses between words.
_BREAK = re.compile(r".*[ \u1680\u2000-\u2006\u2008-\u200b\u205f\u3000]", re.S)
_GRAPHEME = regex.compile(r"\X")
# Languages written without spaces between words: a cut between any two grapheme
# clusters is normal there, so a far-off segment boundary is not worth the lost text.
_UNSPACED = frozenset({"km", "th", "lo", "my", "bo", "zh", "ja"})
_TRAILING = " \u200b,;:–—-"
_ELLIPSIS = "…"


def summarize(text_or_html: str, language_code: str = "en", limit: int = 280) -> str:
    """The first plain paragraph of `text_or_html` as text of at most `limit` characters."""
    text = xml_safe(_lead(text_or_html))
    if len(text) <= limit:
        return text
    if limit < 1:
        return ""
    room = limit - len(_ELLIPSIS)
    return text[: _cut(text, room, language_code)].rstrip(_TRAILING) + _ELLIPSIS


def _lead(text: str) -> str:
    """The first paragraph without a class (pullquotes, annotations and taglines have one),
    else the first paragraph, else everything; the dateline is left out."""
    if "<" not in text:
        return _SPACE.sub(" ", text).strip()
    classed = []
    for paragraph in _PARAGRAPH.finditer(text):
        if "class=" in (paragraph.group(1) or ""):
            classed.append(paragraph.group(2))
        elif lead := _plain(paragraph.group(2)):
            return lead
    for body in [*classed, text]:
        if lead := _plain(body):
            return lead
    return ""


def _plain(fragment: str) -> str:
    fragment = _TAG.sub("", _BREAKING_TAG.sub(" ", _DATELINE.sub("", fragment)))
    return _SPACE.sub(" ", html.unescape(fragment)).strip()


def _cut(text: str, room: int, language_code: str) -> int:
    """Where to cut `text` so at most `room` characters remain."""
    head = text[: room + 1]  # a break right after the room still counts
    match = _BREAK.match(head)
    word = match.end() - 1 if match else 0
    unspaced = language_code.split("-")[0].lower() in _UNSPACED
    if word > 0 and (not unspaced or word >= room // 2):
        return word
    end = 0
    for cluster in _GRAPHEME.finditer(head):
        if cluster.end() > room:
            break
        end = cluster.end()
    return end
