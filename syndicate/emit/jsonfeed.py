"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written straight from the model."""

from __future__ import annotations

from datetime import datetime

import orjson

from syndicate.emit import FeedView
from syndicate.model import RenderedPost

VERSION = "https://jsonfeed.org/version/1.1"
EXTENSION_DOCS = "https://github.com/syndicate-feeds/syndicate/blob/main/docs/formats.md#json-feed-extension-_syndicate"


def jsonfeed_bytes(view: FeedView) -> bytes:
    spec = view.spec
    feed: dict = {
        "version": VERSION,
        "title": spec.title,
        "home_page_url": spec.home_url,
        "feed_url": view.feed_urls["json"],
        "description": spec.description,
    }
    older = (view.archive_links or {}).get("prev-archive")
    if older:
        feed["next_url"] = older["json"]  # JSON Feed's paging: the next older page (docs/subscribers.md)
    if spec.language_code:
        feed["language"] = spec.language_code
    if view.hub_urls:
        feed["hubs"] = [{"type": "WebSub", "url": hub} for hub in view.hub_urls]
    feed["items"] = [_item(e, view.full_content) for e in view.entries]
    # orjson writes the bytes json.dumps(feed, ensure_ascii=False, indent=2) + "\n" would (Khmer
    # kept readable, only quotes, backslashes and control characters escaped), 15 times faster:
    # `indent` sends the standard library to its pure-Python encoder, the daemon's largest cost.
    return orjson.dumps(feed, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def _item(rendered: RenderedPost, full: bool) -> dict:
    post = rendered.post
    item: dict = {"id": post.url, "url": post.url, "title": post.title}
    if full:
        item["content_html"] = rendered.html
    else:
        item["content_text"] = post.summary or rendered.summary
    item["summary"] = post.summary or rendered.summary
    if rendered.media:
        item["image"] = rendered.media[0].url
        if rendered.media[0].link:  # a video's page
            item["attachments"] = [{"url": rendered.media[0].link, "mime_type": "text/html", "title": "Video"}]
    item["date_published"] = _rfc3339(post.date)
    item["date_modified"] = _rfc3339(post.updated or post.date)
    if post.authors:
        item["authors"] = [{"name": name} for name in post.authors]
    if post.categories:
        item["tags"] = list(post.categories)
    item["language"] = rendered.language_code
    if post.translation:
        # JSON Feed has no alternate links; extensions are objects under keys that start with "_".
        item["_syndicate"] = {
            "about": EXTENSION_DOCS,
            "translation": {"url": post.translation.url, "language": post.translation.code},
        }
    return item


def _rfc3339(when: datetime) -> str:
    return when.isoformat(timespec="seconds")
