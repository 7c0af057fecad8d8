"""Emitters: one pure function per format, from a FeedView to the bytes of a file.

A new format is one module here plus one line in FORMATS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from syndicate.model import RenderedPost
from syndicate.select import FeedSpec


@dataclass(frozen=True, slots=True)
class FeedView:
    spec: FeedSpec
    entries: tuple[RenderedPost, ...]  # newest first
    feed_urls: dict[str, str]  # format name -> absolute URL of that file
    generator_version: str
    full_content: bool = True
    # For subscribers (docs/subscribers.md); emitters write each only when it is set.
    hub_urls: tuple[str, ...] = ()  # WebSub hubs
    stylesheet_url: str | None = None  # an XSL stylesheet for the browsers that still apply one
    html_url: str | None = None  # the feed's readable page (its index.html twin)
    html_language: str | None = None  # that page's language code
    archive_links: dict[str, dict[str, str]] | None = None  # RFC 5005 relation -> format -> URL
    archived: bool = False  # an RFC 5005 archive page rather than the subscription feed
    updated_when_empty: datetime | None = None  # an archive page that has just opened

    @property
    def updated(self) -> datetime:
        """The newest entry's date: a rebuild of unchanged content must stamp the same time."""
        return max((e.post.updated or e.post.date for e in self.entries), default=self.updated_when_empty)


Emitter = Callable[[FeedView], bytes]


def _rss(view: FeedView) -> bytes:
    from syndicate.emit.feedgen_feeds import rss_bytes  # feedgen and lxml load only when needed

    return rss_bytes(view)


def _atom(view: FeedView) -> bytes:
    from syndicate.emit.feedgen_feeds import atom_bytes

    return atom_bytes(view)


def _json(view: FeedView) -> bytes:
    from syndicate.emit.jsonfeed import jsonfeed_bytes

    return jsonfeed_bytes(view)


# format name -> (file name, MIME type, emitter)
FORMATS: dict[str, tuple[str, str, Emitter]] = {
    "rss": ("feed.xml", "application/rss+xml", _rss),
    "atom": ("atom.xml", "application/atom+xml", _atom),
    "json": ("feed.json", "application/feed+json", _json),
}
