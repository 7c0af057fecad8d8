"""RFC 5005 archived feeds: a feed's whole history as fixed pages a reader can walk. Pure.

The subscription feed keeps the newest `limit` posts. Every older post sits on exactly one archive
page, numbered from the oldest, so page N holds the same posts for ever once it has filled:
a new post only ever lands on the newest page. The newest page may be empty (the one before it
has just filled); that keeps every full page's bytes, links included, fixed from the moment it
fills, instead of rewriting it to add `next-archive` when the next page opens.

Page files sit beside the feed: `feed-archive-3.xml`, `atom-archive-3.xml`, `feed-archive-3.json`.
Category folder names are slugs without dots, so these names never meet a category folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from syndicate.select import Entry

_ARCHIVE_NAME = re.compile(r"^(?P<stem>[^/]+)-archive-(?P<number>[1-9][0-9]*)(?P<suffix>\.[a-z]+)$")

# link relation -> format -> absolute URL
Links = dict[str, dict[str, str]]


@dataclass(frozen=True, slots=True)
class ArchivePage:
    number: int  # 1 is the oldest
    entries: tuple[Entry, ...]  # newest first, like every feed
    last: bool  # the newest page: the only one that still grows


def archive_pages(feed_entries: list[Entry], limit: int, size: int) -> list[ArchivePage]:
    """The archive pages for a feed's posts (newest first, all of them); none when they fit the feed."""
    older = feed_entries[limit:]
    if not older:
        return []
    oldest_first = older[::-1]
    count = len(oldest_first) // size + 1
    return [ArchivePage(n, tuple(oldest_first[(n - 1) * size:n * size][::-1]), n == count)
            for n in range(1, count + 1)]


def archive_name(file_name: str, number: int) -> str:
    """`feed.xml` -> `feed-archive-3.xml`."""
    stem, dot, suffix = file_name.rpartition(".")
    return f"{stem}-archive-{number}{dot}{suffix}"


def feed_file_of(archive_file: str) -> str | None:
    """`feed-archive-3.xml` -> `feed.xml`; None for any other name."""
    match = _ARCHIVE_NAME.match(archive_file)
    return f"{match['stem']}{match['suffix']}" if match else None


def archive_urls(feed_urls: dict[str, str], number: int) -> dict[str, str]:
    """Each format's URL of archive page `number`, from the subscription feeds' URLs."""
    urls = {}
    for fmt, url in feed_urls.items():
        folder, _, name = url.rpartition("/")
        urls[fmt] = f"{folder}/{archive_name(name, number)}"
    return urls


def subscription_links(feed_urls: dict[str, str], pages: list[ArchivePage]) -> Links:
    """The subscription feed points at the newest archive page."""
    return {"prev-archive": archive_urls(feed_urls, pages[-1].number)} if pages else {}


def page_links(feed_urls: dict[str, str], page: ArchivePage) -> Links:
    """`current` is the subscription feed; `prev-archive`/`next-archive` the neighbouring pages."""
    links: Links = {"current": dict(feed_urls)}
    if page.number > 1:
        links["prev-archive"] = archive_urls(feed_urls, page.number - 1)
    if not page.last:
        links["next-archive"] = archive_urls(feed_urls, page.number + 1)
    return links
