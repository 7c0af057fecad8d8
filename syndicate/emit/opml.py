"""OUT/feeds.opml: every feed as an OPML 2.0 subscription list (http://opml.org/spec2.opml). Pure.

One outline per feed, not per format: a reader importing the list subscribes once to each feed,
through its RSS file (the most widely read format), or its first format when a build writes no RSS.
The site-wide feed comes first; each language's feeds sit in an outline named in that language.
"""

from __future__ import annotations

from syndicate.emit.pages import Listed, language_name

OPML_NAME = "feeds.opml"
SPEC_URL = "http://opml.org/spec2.opml"


def opml_bytes(title: str, feeds: list[Listed]) -> bytes:
    from lxml import etree  # loaded only when the list of feeds changed

    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "docs").text = SPEC_URL
    body = etree.SubElement(root, "body")
    groups: dict[str, etree._Element] = {}
    for feed in feeds:
        spec = feed.spec
        parent = body
        if spec.language is not None:
            if spec.language not in groups:
                name = language_name(spec.language_code or spec.language)
                groups[spec.language] = etree.SubElement(body, "outline", text=name, title=name)
            parent = groups[spec.language]
        fmt = "rss" if "rss" in feed.feed_urls else next(iter(feed.feed_urls))
        outline = etree.SubElement(parent, "outline", type="rss", text=spec.title, title=spec.title,
                                   xmlUrl=feed.feed_urls[fmt], htmlUrl=spec.home_url, description=spec.description)
        if spec.language_code:
            outline.set("language", spec.language_code)
        if fmt == "rss":
            outline.set("version", "RSS2")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
