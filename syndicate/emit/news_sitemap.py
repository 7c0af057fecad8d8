"""A Google News sitemap per language: the posts of the last 48 hours, at most 1,000, each with
its publication's name and language (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap).
Pure: entries and the clock in, bytes out.

The file is valid against the sitemap 0.9 and news 0.9 schemas (tests/schemas/), which require
at least one <url>: a language with no post in the window gets no file.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from syndicate.select import Entry

NEWS_SITEMAP_NAME = "news-sitemap.xml"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
WINDOW = timedelta(hours=48)  # Google News reads articles published in the last two days
MAX_URLS = 1000  # per news sitemap


def news_entries(visible: list[Entry], language: str, now: datetime) -> list[Entry]:
    """The language's posts published in the 48 hours up to `now`, newest first, at most 1,000.
    `visible` is published() output: sorted newest first, nothing after `now`."""
    oldest = (now - WINDOW).timestamp()
    chosen = []
    for entry in visible:
        if entry.timestamp <= oldest:
            break
        if entry.language == language:
            chosen.append(entry)
            if len(chosen) == MAX_URLS:
                break
    return chosen


def next_change(news: list[Entry]) -> float | None:
    """When the oldest post leaves the window: the sitemap changes then, with no file changed."""
    return min(e.timestamp for e in news) + WINDOW.total_seconds() if news else None


def news_sitemap_bytes(publication: str, language_code: str, entries: list[Entry], tz: ZoneInfo) -> bytes:
    from lxml import etree  # loaded only when a sitemap changed

    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "news": NEWS_NS})
    for entry in entries:
        url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = entry.url
        news = etree.SubElement(url, f"{{{NEWS_NS}}}news")
        pub = etree.SubElement(news, f"{{{NEWS_NS}}}publication")
        etree.SubElement(pub, f"{{{NEWS_NS}}}name").text = publication
        etree.SubElement(pub, f"{{{NEWS_NS}}}language").text = language_code
        published = datetime.fromtimestamp(entry.timestamp, tz).isoformat(timespec="seconds")
        etree.SubElement(news, f"{{{NEWS_NS}}}publication_date").text = published
        etree.SubElement(news, f"{{{NEWS_NS}}}title").text = entry.title
    return etree.tostring(urlset, xml_declaration=True, encoding="UTF-8", pretty_print=True)
