"""RSS 2.0 and Atom 1.0 through feedgen: the only module that imports it."""

from __future__ import annotations

import copy
import email.utils
import functools
import html
from collections.abc import Iterable

import feedgen.entry
import feedgen.feed
from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from syndicate.emit import FORMATS, FeedView
from syndicate.model import RenderedPost

# feedgen formats RFC 822 dates by switching the process-wide locale (setlocale), which is
# unsafe once the daemon renders in threads. The email package writes English names itself.
feedgen.feed.formatRFC2822 = email.utils.format_datetime
feedgen.entry.formatRFC2822 = email.utils.format_datetime

MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FH_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
# RFC 4287 §4.2.7.2: a relation name and the IANA registry IRI ending in it are the same relation.
# Secondary alternates (the translation, the readable page) use the IRI form so that readers which
# take the last rel="alternate" as "the" link (feedparser) keep the post's own page, while readers
# which take the first one get it too.
SECOND_ALTERNATE = "http://www.iana.org/assignments/relation/alternate"
GENERATOR_URI = "https://github.com/syndicate-feeds/syndicate"


class _EntryExtras(BaseEntryExtension):
    """What feedgen does not write for us.

    RSS 2.0 lacks bylines (dc:creator), Media RSS and translation links natively. For Atom,
    feedgen 1.0 drops rel, type and hreflang from entry links (its writer shadows the link
    dict with the new element), so entry links are written here instead.
    """

    def __init__(self) -> None:
        self.post: RenderedPost | None = None
        self.feed_language: str | None = None  # the channel's or feed's language, if it has one

    def extend_rss(self, item: etree._Element) -> etree._Element:
        if self.post is None:
            return item
        post = self.post.post
        for name in post.authors:
            etree.SubElement(item, f"{{{DC_NS}}}creator").text = name
        if self.post.language_code != self.feed_language:
            # RSS 2.0 has no item language; Dublin Core's is the one readers and the W3C validator know.
            etree.SubElement(item, f"{{{DC_NS}}}language").text = self.post.language_code
        if post.translation:
            # Before <link>: feedparser takes the last alternate link it meets as the item's link.
            link = etree.Element(f"{{{ATOM_NS}}}link", rel="alternate", type="text/html",
                                 hreflang=post.translation.code, href=post.translation.url)
            item.insert(0, link)
        for media in self.post.media[:1]:
            content = etree.SubElement(item, f"{{{MEDIA_NS}}}content", url=media.url, medium="image")
            if media.mime_type:
                content.set("type", media.mime_type)
            if media.caption:
                etree.SubElement(content, f"{{{MEDIA_NS}}}description", type="plain").text = media.caption
            if media.credit:
                etree.SubElement(content, f"{{{MEDIA_NS}}}credit").text = media.credit
            if media.link:  # a video's page, for readers that play it
                etree.SubElement(content, f"{{{MEDIA_NS}}}player", url=media.link)
            etree.SubElement(item, f"{{{MEDIA_NS}}}thumbnail", url=media.thumbnail or media.url)
            # What newsboat and others show as the item's image. RSS requires a length: 0 is
            # the W3C validator's "unknown", and the real size is known for the site's own files.
            etree.SubElement(item, "enclosure", url=media.url, length=str(media.length or 0),
                             type=media.mime_type or "image/jpeg")
        return item

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        if self.post is None:
            return entry
        post = self.post.post
        for plain in entry.findall("link"):  # feedgen's own, given only to pass its check (atom_bytes)
            entry.remove(plain)
        # Links go right after <title>. feedgen writes Atom elements without a namespace and
        # declares it as a plain xmlns attribute on <feed>, so plain names are right here.
        if self.post.language_code != self.feed_language:  # the site-wide feed mixes languages
            entry.set(XML_LANG, self.post.language_code)
        at = entry.index(entry.find("title")) + 1
        links = [dict(rel="alternate", type="text/html", hreflang=self.post.language_code, href=post.url)]
        if post.translation:
            links.append(dict(rel=SECOND_ALTERNATE, type="text/html", hreflang=post.translation.code,
                              href=post.translation.url))
        for media in self.post.media[:1]:
            links.append(dict(rel="enclosure", type=media.mime_type or "image/jpeg", href=media.url,
                              **({"length": str(media.length)} if media.length else {})))
            if media.link:  # a video's page
                links.append(dict(rel="related", type="text/html", href=media.link))
        for offset, attrs in enumerate(links):
            link = etree.Element("link")
            for key in ("rel", "type", "hreflang", "href", "length"):
                if key in attrs:
                    link.set(key, attrs[key])
            entry.insert(at + offset, link)
        return entry


class _FeedExtras(BaseExtension):
    """Feed-level links for subscribers (docs/subscribers.md): the readable page, WebSub hubs,
    RFC 5005 archive links, and an XSL stylesheet. Written here because every link given to
    feedgen's own link() becomes RSS's <link>."""

    def __init__(self) -> None:
        self.view: FeedView | None = None

    def extend_ns(self) -> dict[str, str]:
        extra = {"fh": FH_NS} if self.view is not None and self.view.archived else {}
        return {"media": MEDIA_NS, "dc": DC_NS, **extra}

    def extend_rss(self, rss: etree._Element) -> etree._Element:
        channel = rss[0]
        at = channel.index(channel.find("link"))
        for attrs in self._links("rss"):
            # Before <link>, which must stay the channel's last alternate for feedparser.
            channel.insert(at, etree.Element(f"{{{ATOM_NS}}}link", attrs))
            at += 1
        return self._finish(rss, channel)

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        # After the site page's alternate link, which stays the first one (the "website").
        for attrs in self._links("atom"):
            feed.append(etree.Element("link", attrs))
        return self._finish(feed, feed)

    def _links(self, fmt: str) -> list[dict[str, str]]:
        view = self.view
        if view is None:
            return []
        links = []
        if view.html_url:
            # A second text/html alternate; its hreflang keeps it distinct (RFC 4287 §4.2.7.2).
            rel = "alternate" if fmt == "rss" else SECOND_ALTERNATE
            links.append({"rel": rel, "type": "text/html", "href": view.html_url,
                          "hreflang": view.html_language or view.spec.language_code or "und"})
        links += [{"rel": "hub", "href": hub} for hub in view.hub_urls]
        for rel, urls in (view.archive_links or {}).items():
            links.append({"rel": rel, "type": FORMATS[fmt][1], "href": urls[fmt]})
        return links

    def _finish(self, root: etree._Element, head: etree._Element) -> etree._Element:
        view = self.view
        if view is not None and view.archived:
            etree.SubElement(head, f"{{{FH_NS}}}archive")
        if view is not None and view.stylesheet_url:
            href = html.escape(view.stylesheet_url)  # not xml.sax.saxutils: it loads urllib's HTTP stack
            root.addprevious(etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{href}"'))
        return root


def rss_bytes(view: FeedView) -> bytes:
    fg = _feed(view, "rss")
    for rendered in view.entries:
        fg.add_entry(_kept_entry("rss", rendered, view.full_content, view.spec.language_code), order="append")
    return fg.rss_str(pretty=True)


def atom_bytes(view: FeedView) -> bytes:
    fg = _feed(view, "atom")
    fg.author({"name": view.spec.title})  # Atom needs an author for entries without a byline
    for rendered in view.entries:
        fg.add_entry(_kept_entry("atom", rendered, view.full_content, view.spec.language_code), order="append")
    return fg.atom_str(pretty=True)


def _feed(view: FeedView, fmt: str) -> FeedGenerator:
    spec = view.spec
    fg = FeedGenerator()
    fg.id(view.feed_urls[fmt])
    fg.title(spec.title)
    fg.subtitle(spec.description)  # also the RSS <description>
    # feedgen takes the last link as RSS's <link>: the web page must come last.
    fg.link(href=view.feed_urls[fmt], rel="self", type={"rss": "application/rss+xml",
                                                        "atom": "application/atom+xml"}[fmt])
    fg.link(href=spec.home_url, rel="alternate", type="text/html")
    if spec.language_code:
        fg.language(spec.language_code)
    fg.generator("syndicate", version=view.generator_version, uri=GENERATOR_URI)
    fg.updated(view.updated)
    fg.lastBuildDate(view.updated)
    fg.register_extension("syndicate", _FeedExtras, _EntryExtras, atom=True, rss=True)
    fg.syndicate.view = view
    return fg


class _KeptEntry(FeedEntry):
    """A feed entry whose element is built once and copied into every feed that carries it.

    One post is in several feeds of a build (the site's, its language's, its categories') and,
    in the daemon, in every build until it changes: building its element (feedgen's setters,
    then lxml element by element) was most of serialising a feed. The element is kept as it
    was before any feed adopted it, so each copy joins its feed exactly as a new one would.
    """

    def __init__(self) -> None:
        super().__init__()
        self._elements: dict[str, etree._Element] = {}

    def rss_entry(self, extensions: bool = True) -> etree._Element:
        return copy.deepcopy(self.element("rss"))

    def atom_entry(self, extensions: bool = True) -> etree._Element:
        return copy.deepcopy(self.element("atom"))

    def element(self, fmt: str) -> etree._Element:
        if fmt not in self._elements:
            build = super().rss_entry if fmt == "rss" else super().atom_entry
            self._elements[fmt] = build(extensions=True)
        return self._elements[fmt]


def prepare_entries(fmt: str, entries: Iterable[RenderedPost], full_content: bool, feed_language: str | None) -> None:
    """Build ahead the entries of a feed that serialising it would build (a daemon does this
    after its start-up build, so its first saved post's feeds copy them instead)."""
    for rendered in entries:
        _kept_entry(fmt, rendered, full_content, feed_language).element(fmt)


# Keyed by everything an entry's element depends on. A build's feeds carry at most
# feeds x limit entries per format: this holds a cold build's sharing and a daemon's next build.
@functools.lru_cache(maxsize=4096)
def _kept_entry(fmt: str, rendered: RenderedPost, full_content: bool, feed_language: str | None) -> _KeptEntry:
    post = rendered.post
    fe = _KeptEntry()
    fe.register_extension("syndicate", _EntryExtras, atom=True, rss=True)
    fe.id(post.url)
    fe.guid(post.url, permalink=True)
    fe.title(post.title)
    fe.published(post.date)
    fe.updated(post.updated or post.date)
    fe.summary(post.summary or rendered.summary)
    if full_content:
        fe.content(rendered.html, type="html")
    for cat in post.categories:
        fe.category(term=cat)
    fe.syndicate.post = rendered
    fe.syndicate.feed_language = feed_language
    if fmt == "rss":
        fe.link(href=post.url)  # RSS <link>
        # Readers render an RSS <description> as HTML: the plain-text summary must be escaped
        # once more, or a summary quoting "<script>" would become markup. (Atom's is type="text".)
        fe.description(html.escape(post.summary or rendered.summary, quote=False), isSummary=True)
    else:
        if not full_content:  # feedgen refuses an entry with neither content nor an alternate link
            fe.link(href=post.url, rel="alternate")
        for name in post.authors:
            fe.author({"name": name})
    return fe
