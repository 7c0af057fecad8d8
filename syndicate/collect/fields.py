"""Front matter to a Post: pure coercion of dates, categories, URLs and media. No I/O."""

from __future__ import annotations

import mimetypes
import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

from syndicate.collect.permalink import permalink_path
from syndicate.config import Settings
from syndicate.model import Media, Post, Problem
from syndicate.render import absolute_url
from syndicate.text import xml_safe

# Jekyll's post file name: date, slug, extension.
POST_NAME = re.compile(r"^(\d{2,4}-\d{1,2}-\d{1,2})-(.+)\.([A-Za-z0-9]+)$")
YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_EXTRA_KEYS = ("persona", "mugshot", "thumbnail", "cutline", "credit", "layout")


class BadPost(Exception):
    """A post that cannot be published; carries the Problem to report."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def coerce_post(meta: dict[str, Any], *, source: str, folder_categories: tuple[str, ...],
                settings: Settings) -> tuple[Post | None, list[Problem]]:
    """The Post for one file's front matter (None when unpublished), plus warnings.

    Raises BadPost when the post cannot be published at all (no title, no usable date).
    """
    problems: list[Problem] = []
    if meta.get("published") is False:
        return None, problems
    name_match = POST_NAME.match(source.rsplit("/", 1)[-1])
    if name_match is None:
        raise BadPost(Problem(source, "file name is not YYYY-MM-DD-slug.ext", severity="warning"))
    title = _clean(meta.get("title"))
    if not title:
        raise BadPost(Problem(source, "missing title", field="title"))
    when = post_date(meta.get("date"), name_match.group(1), settings.timezone, source)
    slug = _clean(meta.get("slug")) or name_match.group(2)
    categories = split_words(meta.get("categories")) + split_words(meta.get("category"))
    categories = tuple(c for c in dict.fromkeys(categories) if c not in folder_categories)
    tags = tuple(dict.fromkeys(split_words(meta.get("tags")) + split_words(meta.get("tag"))))
    language = language_key(_clean(meta.get("language")) or (folder_categories[0] if folder_categories else ""),
                            settings)
    template = _clean(meta.get("permalink")) or settings.permalink
    local = when.astimezone(settings.timezone)
    path = permalink_path(template, date=local, slug=slug, categories=folder_categories + categories,
                          output_ext=".html")
    updated = None
    if meta.get("last_modified_at") or meta.get("updated"):
        try:
            updated = post_date(meta.get("last_modified_at") or meta.get("updated"), None, settings.timezone, source)
        except BadPost as exc:
            problems.append(Problem(source, exc.problem.message, field="updated", severity="warning"))
    image = _image(meta, source, settings, problems)
    youtube = _clean(meta.get("youtube")) or None
    if youtube and not YOUTUBE_ID.match(youtube):
        problems.append(Problem(source, f"not a YouTube video id: {youtube!r}", field="youtube", severity="warning"))
        youtube = None
    for key in ("mugshot", "thumbnail"):
        if meta.get(key) is not None and absolute_url(meta.get(key), settings.base_url) is None:
            problems.append(Problem(source, f"not a valid URL: {meta.get(key)!r}", field=key, severity="warning"))
    byline = _clean(meta.get("byline") or meta.get("author"))
    return Post(
        source=source, language=language, slug=slug, title=title, date=when,
        url=settings.base_url + path, path=path, categories=categories,
        folder_categories=folder_categories, tags=tags, updated=updated,
        summary=_clean(meta.get("summary") or meta.get("description")) or None,
        authors=split_authors(byline), dateline=_clean(meta.get("dateline")) or None,
        image=image or (youtube_media(youtube) if youtube else None), youtube=youtube,
        translation_ref=_clean(meta.get("translation")) or None,
        extra=tuple((k, _clean(meta[k])) for k in _EXTRA_KEYS if isinstance(meta.get(k), str | int | float)),
    ), problems


def language_key(name: str, settings: Settings) -> str:
    """The site's own key for a language ("Khmer " and "khmer" are one language)."""
    folded = name.strip().casefold()
    if not folded:
        return next(iter(settings.languages), "default")
    return next((key for key in settings.languages if key.casefold() == folded), folded)


def post_date(value: Any, from_name: str | None, tz: ZoneInfo, source: str) -> datetime:
    """An aware datetime: front matter first, else the file name; date-only means midnight in `tz`."""
    if value is None or value == "":
        if from_name is None:
            raise BadPost(Problem(source, "missing date", field="date"))
        value = from_name
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tz)
    try:
        parsed = dateparser.parse(str(value))
    except (ValueError, OverflowError) as exc:
        raise BadPost(Problem(source, f"not a date: {value!r}", field="date")) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def split_words(value: Any) -> tuple[str, ...]:
    """Jekyll's categories/tags: a space-separated string or a list (of strings or numbers)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(xml_safe(value).split())
    items = value if isinstance(value, list) else [value]
    # List items are whole names, as in Jekyll: "Hot Topics" stays one category.
    words = (" ".join(xml_safe(str(item)).split()) for item in items
             if isinstance(item, str | int | float) and not isinstance(item, bool))
    return tuple(w for w in words if w)


def split_authors(byline: str) -> tuple[str, ...]:
    """'A, B and C' -> ('A', 'B', 'C'); a byline is free text, so only the obvious separators."""
    if not byline:
        return ()
    parts = re.split(r"\s*(?:,|;|\band\b|&)\s*", re.sub(r"^by\s+", "", byline, flags=re.I))
    return tuple(p for p in (p.strip() for p in parts) if p)


def youtube_media(video_id: str) -> Media:
    return Media(
        url=f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg", mime_type="image/jpeg",
        thumbnail=f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg",
        link=f"https://www.youtube.com/watch?v={video_id}",
    )


def _image(meta: dict[str, Any], source: str, settings: Settings, problems: list[Problem]) -> Media | None:
    raw = meta.get("image")
    if raw is None or raw == "":
        return None
    url = absolute_url(raw, settings.base_url)
    if url is None:
        problems.append(Problem(source, f"not a valid URL: {raw!r}", field="image", severity="warning"))
        return None
    mime = mimetypes.guess_type(url.split("?", 1)[0])[0] or "image/jpeg"
    thumb = absolute_url(meta.get("thumbnail"), settings.base_url) if meta.get("thumbnail") else None
    return Media(url=url, mime_type=mime, caption=_clean(meta.get("cutline") or meta.get("caption")) or None,
                 credit=_clean(meta.get("credit")) or None, thumbnail=thumb or url)


def _clean(value: Any) -> str:
    """One line of XML-safe text from a scalar; '' for anything else."""
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return " ".join(xml_safe(str(value)).split())
