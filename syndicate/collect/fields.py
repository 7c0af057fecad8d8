"""Front matter to a Post: pure coercion of dates, categories, URLs and media. No I/O."""

from __future__ import annotations

import html
import mimetypes
import re
import unicodedata
from datetime import date, datetime, time, timezone
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import nh3
from babel import Locale, UnknownLocaleError
from dateutil import parser as dateparser

from syndicate.collect.permalink import permalink_path
from syndicate.config import Settings
from syndicate.model import Media, Post, Problem
from syndicate.render import absolute_url
from syndicate.render.urls import resolve_url
from syndicate.select import slugify
from syndicate.text import xml_safe

# What separates names in a byline whatever its language; the words for "and" come from CLDR.
_LIST_MARKS = re.compile(r"\s*[,;&\u060c\u3001\uff0c]\s*")
_BY = re.compile(r"^by\s+", re.I)
# Zero-width characters are invisible at the edges of a title or name but break matching and
# sorting there; inside text they are kept (Khmer uses them to mark word breaks).
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_EDGE = " " + _ZERO_WIDTH
# Jekyll's post file name: date, slug, extension.
POST_NAME = re.compile(r"^(\d{2,4}-\d{1,2}-\d{1,2})-(.+)\.([A-Za-z0-9]+)$")
YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_EXTRA_KEYS = ("persona", "mugshot", "thumbnail", "cutline", "credit", "layout")
# Years a post can carry: a 4-digit year that stays one in every time zone.
YEARS = range(1000, 9999)
# What a date without a year (or month, or day) is completed with: year 1, outside YEARS.
_INCOMPLETE = datetime(1, 1, 1)
_SHOWN = 80  # characters of a bad value quoted in a problem


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
        if meta.get("date") is None or meta.get("date") == "":
            raise BadPost(Problem(source, "missing date: the front matter has none and the file name does not "
                                          "start with YYYY-MM-DD-", field="date"))
        raise BadPost(Problem(source, "file name is not YYYY-MM-DD-slug.ext: Jekyll does not publish it",
                              severity="warning"))
    title = _plain(meta.get("title"))
    if not title:
        raise BadPost(Problem(source, "missing title", field="title"))
    when = post_date(meta.get("date"), name_match.group(1), settings.timezone, source)
    slug = _clean(meta.get("slug")) or name_match.group(2)
    categories = split_words(meta.get("categories")) + split_words(meta.get("category"))
    categories = tuple(c for c in dict.fromkeys(categories) if c not in folder_categories)
    categories = _capped(categories, "categories", settings.max_categories, source, problems)
    tags = tuple(dict.fromkeys(split_words(meta.get("tags")) + split_words(meta.get("tag"))))
    tags = _capped(tags, "tags", settings.max_categories, source, problems)
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
    media_url(meta, "mugshot", source, settings, problems)  # the site's pages show it: name a bad one
    youtube = _clean(meta.get("youtube")) or None
    if youtube and not YOUTUBE_ID.match(youtube):
        problems.append(Problem(source, f"not a YouTube video id: {_shown(youtube)}", field="youtube"))
        youtube = None
    byline = _plain(meta.get("byline") or meta.get("author"))
    code = settings.language(language).code
    return Post(
        source=source, language=language, slug=slug, title=title, date=when,
        url=settings.base_url + path, path=path, categories=categories,
        folder_categories=folder_categories, tags=tags, updated=updated,
        summary=_plain(meta.get("summary") or meta.get("description")) or None,
        authors=split_authors(byline, code), dateline=_plain(meta.get("dateline")) or None,
        image=image or (youtube_media(youtube) if youtube else None), youtube=youtube,
        translation_ref=_clean(meta.get("translation")) or None,
        extra=tuple((k, _clean(meta[k])) for k in _EXTRA_KEYS if isinstance(meta.get(k), str | int | float)),
    ), problems


def language_key(name: str, settings: Settings) -> str:
    """The site's own key for a language. Names with one folder name are one language ("Khmer ",
    "khmer", "../khmer"), so two languages can never write into one feed folder."""
    slug = slugify(name)
    if not slug:
        return next(iter(settings.languages), "default")
    return next((key for key in settings.languages if slugify(key) == slug), slug)


def post_date(value: Any, from_name: str | None, tz: ZoneInfo, source: str) -> datetime:
    """An aware datetime: front matter first, else the file name; date-only means midnight in `tz`.

    Raises BadPost for values that are no date, or no possible one (2018-02-30, year 18).
    """
    if value is None or value == "":
        if from_name is None:
            raise BadPost(Problem(source, "missing date", field="date"))
        value = from_name
    if isinstance(value, datetime):
        when = value if value.tzinfo else value.replace(tzinfo=tz)
    elif isinstance(value, date):
        when = datetime.combine(value, time(), tz)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        try:
            parsed = dateparser.parse(str(value), default=_INCOMPLETE)
        except (ValueError, OverflowError) as exc:
            reason = str(exc).split(":", 1)[0]  # dateutil repeats the value after a colon
            raise BadPost(Problem(source, f"not a date: {_shown(value)} ({reason})", field="date")) from exc
        when = parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    else:
        raise BadPost(Problem(source, f"not a date: {_shown(value)}", field="date"))
    try:
        in_utc = when.astimezone(timezone.utc)  # also rejects offsets of a day or more
    except (ValueError, OverflowError):
        in_utc = None
    if in_utc is None or when.year not in YEARS or in_utc.year not in YEARS:
        raise BadPost(Problem(source, f"impossible date: {_shown(value)} (a year from {YEARS.start} to "
                                      f"{YEARS.stop - 1} and a time zone offset under 24 hours)", field="date"))
    # Local mean time (most zones before about 1920) has offsets like +07:06:20, which no feed
    # format can write: such a moment is kept in UTC.
    return in_utc if when.utcoffset().seconds % 60 else when


def split_words(value: Any) -> tuple[str, ...]:
    """Jekyll's categories/tags: a space-separated string or a list (of strings or numbers)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(_nfc(value).split())
    items = value if isinstance(value, list) else [value]
    # List items are whole names, as in Jekyll: "Hot Topics" stays one category.
    words = (" ".join(_nfc(str(item)).split()) for item in items
             if isinstance(item, str | int | float) and not isinstance(item, bool))
    return tuple(w for w in words if w)


def split_authors(byline: str, language_code: str = "en") -> tuple[str, ...]:
    """'A, B and C' -> ('A', 'B', 'C'), with the byline language's own word for "and" (CLDR's list
    patterns: "និង" in Khmer) as well as English's; a byline is free text, so only the obvious
    separators."""
    if not byline:
        return ()
    words = _conjunctions(language_code)
    parts = []
    for part in _LIST_MARKS.split(_BY.sub("", byline)):
        parts += words.split(part)
    return tuple(p for p in (p.strip(_EDGE) for p in parts) if p)


@cache
def _conjunctions(language_code: str) -> re.Pattern[str]:
    """A pattern matching the language's list conjunctions and English "and" as whole words:
    between spaces or the text's ends, zero-width characters aside. Khmer marks the word breaks
    inside a phrase with zero-width spaces ("ស្រាវជ្រាវ​និង​ចងក្រង", researched and compiled), and
    there "និង" joins words, not names."""
    found = {"and"}
    try:
        styles = Locale.parse(language_code.replace("-", "_")).list_patterns
    except (UnknownLocaleError, ValueError, TypeError):
        styles = {}
    for style in ("standard", "standard-short"):  # "{0} and {1}", "{0} & {1}"
        for key in ("2", "end"):
            between = styles.get(style, {}).get(key, "").replace("{0}", " ").replace("{1}", " ")
            found.update(w.strip(_EDGE) for w in _LIST_MARKS.split(between) if w.strip(_EDGE))
    alternatives = "|".join(re.escape(w.strip()) for w in sorted(found, key=len, reverse=True))
    zw = f"[{_ZERO_WIDTH}]*"
    return re.compile(rf"(?:^|(?<=\s)){zw}(?:{alternatives}){zw}(?=\s|$)", re.I)


def youtube_media(video_id: str) -> Media:
    return Media(
        url=f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg", mime_type="image/jpeg",
        thumbnail=f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg",
        link=f"https://www.youtube.com/watch?v={video_id}",
    )


def media_url(meta: dict[str, Any], key: str, source: str, settings: Settings,
              problems: list[Problem]) -> str | None:
    """The absolute URL of a media field, or None. A value that is not a URL as written is
    named even when it can be repaired (`/img/x.jpg";`): the site's own pages show it broken."""
    raw = meta.get(key)
    if raw is None or raw == "":
        return None
    url = absolute_url(raw, settings.base_url)
    as_written = isinstance(raw, str) and resolve_url(raw.strip(), settings.base_url, settings.base_url + "/")
    if url is None or not as_written:
        repaired = f"; read as {url}" if url else ""
        # An error although the feeds cope: the site's own pages show it broken (docs/check.md).
        problems.append(Problem(source, f"not a valid URL: {_shown(raw)}{repaired}", field=key))
    return url


def _image(meta: dict[str, Any], source: str, settings: Settings, problems: list[Problem]) -> Media | None:
    url = media_url(meta, "image", source, settings, problems)
    thumb = media_url(meta, "thumbnail", source, settings, problems)
    if url is None:
        return None
    mime = mimetypes.guess_type(url.split("?", 1)[0])[0] or "image/jpeg"
    return Media(url=url, mime_type=mime, caption=_plain(meta.get("cutline") or meta.get("caption")) or None,
                 credit=_plain(meta.get("credit")) or None, thumbnail=thumb or url)


def _capped(names: tuple[str, ...], key: str, limit: int, source: str, problems: list[Problem]) -> tuple[str, ...]:
    if len(names) <= limit:
        return names
    problems.append(Problem(source, f"{len(names)} {key}, over the limit of {limit} (limits.max_categories): "
                                    f"only the first {limit} are used", field=key, severity="warning"))
    return names[:limit]


def _nfc(text: str) -> str:
    """XML-safe text in one Unicode spelling: "café" typed on a Mac (NFD) matches it typed elsewhere."""
    return unicodedata.normalize("NFC", xml_safe(text))


def _clean(value: Any) -> str:
    """One line of XML-safe text from a scalar; '' for anything else."""
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return " ".join(xml_safe(str(value)).split())


def _plain(value: Any) -> str:
    """One line of plain text: titles, summaries and bylines are not HTML in any feed format,
    so markup is removed (scripts with their content) and character references decoded."""
    text = unicodedata.normalize("NFC", _clean(value)).strip(_EDGE)
    for _ in range(3):  # `&lt;script&gt;` decodes to markup once more; real text settles at once
        if "<" not in text and "&" not in text:
            break
        # xml_safe again: a reference such as `&#1;` decodes to a character no XML may carry
        plain = " ".join(xml_safe(html.unescape(nh3.clean(text, tags=set()))).split()).strip(_EDGE)
        if plain == text:
            break
        text = plain
    else:
        if "<" in text:  # escaped over and over, as no real text is: what is left of it holds no tag
            # nh3 escapes a bare & < >; only & is decoded again, so no < becomes a tag once more
            text = " ".join(nh3.clean(text, tags=set()).replace("&amp;", "&").split()).strip(_EDGE)
    return text


def _shown(value: Any) -> str:
    """A bad value quoted for a problem message, as the editor wrote it and cut short."""
    shown = repr(value.isoformat(sep=" ") if isinstance(value, datetime) else
                 value.isoformat() if isinstance(value, date) else value)
    return shown if len(shown) <= _SHOWN else shown[: _SHOWN - 1] + "…"
