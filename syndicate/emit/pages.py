"""Readable HTML for subscribers: each feed folder's index.html twin and the site's feed index.

Pure apart from reading syndicate's own templates and message catalogues: values in, bytes out.
Interface text comes from gettext catalogues (templates/locale/<code>/LC_MESSAGES/subscribe.po,
read with Babel); a language without one gets English text marked with lang="en".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from markupsafe import Markup

from syndicate.emit import FORMATS, FeedView
from syndicate.languages import language_direction
from syndicate.select import FeedSpec
from syndicate.sources import template_environment, templates_dir

if TYPE_CHECKING:
    import jinja2

    from syndicate.i18n import Localizer

PAGE_NAME = "index.html"
FORMAT_LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
CATALOGUE_DOMAIN = "subscribe"


@dataclass(frozen=True, slots=True)
class Listed:
    """A feed as the index, the OPML list and the autodiscovery tags show it."""

    spec: FeedSpec
    feed_urls: dict[str, str]  # format -> absolute URL

    @property
    def page(self) -> str:
        """Its readable page, relative to OUT."""
        return page_path(self.spec.folder)

    @property
    def links(self) -> list[FeedLink]:
        return [FeedLink(FORMAT_LABELS.get(fmt, fmt), FORMATS[fmt][1], url) for fmt, url in self.feed_urls.items()]


@dataclass(frozen=True, slots=True)
class FeedLink:
    label: str
    type: str
    href: str


class Messages:
    """Interface text in one language; `lang` is the language the text really is in."""

    def __init__(self, lang: str, table: dict[str, str]):
        self.lang = lang
        self._table = table

    def __call__(self, text: str) -> str:
        return self._table.get(text, text)


def page_path(folder: str) -> str:
    return f"{folder}/{PAGE_NAME}".lstrip("/")


def link_tags(spec: FeedSpec, feed_urls: dict[str, str]) -> list[Markup]:
    """`<link rel="alternate">` autodiscovery tags for a page's <head>, one per format."""
    tags = []
    for fmt, url in feed_urls.items():
        hreflang = Markup(' hreflang="{}"').format(spec.language_code) if spec.language_code else ""
        tags.append(Markup('<link rel="alternate" type="{}" title="{}" href="{}"{}>').format(
            FORMATS[fmt][1], f"{spec.title} ({FORMAT_LABELS.get(fmt, fmt)})", url, hreflang))
    return tags


def feed_page_bytes(view: FeedView, page_language: str) -> bytes:
    """A feed folder's index.html. `page_language` is the interface language of feeds that have none."""
    spec = view.spec
    lang = spec.language_code or page_language
    depth = spec.folder.count("/") + 1 if spec.folder else 0
    html = _env().get_template("feed-page.html.j2").render(
        spec=spec, lang=lang, dir=_direction(spec, lang), t=messages(lang), root="../" * depth,
        discovery=link_tags(spec, view.feed_urls), links=Listed(spec, view.feed_urls).links,
        stories=_stories(view),
    )
    return html.encode("utf-8")


def site_index_bytes(*, title: str, description: str, home_url: str, page_language: str, opml: str,
                     feeds: list[Listed], site_view: FeedView | None, news_sitemaps: dict[str, str] | None = None) -> bytes:
    """OUT/index.html: every feed, grouped by language, and the site-wide feed's latest stories.

    `feeds` come in feed_specs order: the site feed, then each language before its categories.
    `news_sitemaps`: language key -> its Google News sitemap, relative to OUT.
    """
    site = next((f for f in feeds if f.spec.language is None), None)
    groups: dict[str, dict] = {}
    for feed in feeds:
        spec = feed.spec
        if spec.language is None:
            continue
        if spec.language not in groups:
            code = spec.language_code or page_language
            language_feed = next(f for f in feeds if f.spec.language == spec.language and f.spec.category is None)
            groups[spec.language] = {"lang": code, "dir": spec.direction, "name": language_name(code),
                                     "t": messages(code), "feed": language_feed, "categories": [],
                                     "news_sitemap": (news_sitemaps or {}).get(spec.language)}
        if spec.category is not None:
            groups[spec.language]["categories"].append(feed)
    discovery = [tag for f in feeds if f.spec.category is None for tag in link_tags(f.spec, f.feed_urls)]
    html = _env().get_template("site-index.html.j2").render(
        title=title, description=description, home_url=home_url, lang=page_language,
        dir=language_direction(page_language), t=messages(page_language), opml=opml, site=site,
        groups=list(groups.values()), discovery=discovery, stories=_stories(site_view) if site_view else [],
    )
    return html.encode("utf-8")


def stylesheet_bytes(page_language: str, direction: str) -> bytes:
    """An XSL stylesheet that shows an RSS or Atom feed as a page, for browsers that still apply one."""
    xsl = _env().get_template("feed.xsl.j2").render(lang=page_language, dir=direction, t=messages(page_language))
    return xsl.encode("utf-8")


def language_name(code: str) -> str:
    """A language's name in its own script: "English", "ខ្មែរ"."""
    locale = _locale(code)
    return (locale.display_name or code) if locale else code


@cache
def messages(code: str) -> Messages:
    if code.split("-")[0] == "en":
        return Messages(code, {})  # the templates are written in English
    from babel.messages.pofile import read_po  # pages are written only when feeds changed

    for candidate in (code.replace("-", "_"), code.split("-")[0]):
        path = templates_dir() / "locale" / candidate / "LC_MESSAGES" / f"{CATALOGUE_DOMAIN}.po"
        if path.is_file():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=candidate)
            return Messages(code, {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy})
    return Messages("en", {})


def _stories(view: FeedView) -> list[dict]:
    items = []
    for rendered in view.entries:
        post, code = rendered.post, rendered.language_code
        local = localized(code)
        items.append({
            "url": post.url, "title": post.title, "lang": code,
            "dir": view.spec.direction if view.spec.language else language_direction(code),
            "iso": post.date.date().isoformat(), "date": local.date(post.date.date()),
            "summary": post.summary or rendered.summary, "authors": local.names(post.authors) if post.authors else "",
        })
    return items


@cache
def localized(code: str) -> Localizer:
    """Dates, digits and lists of names as the language writes them, the digests' way (one
    localisation for pages and emails): "July 31, 2018", "ថ្ងៃទី៣១ ខែកក្កដា ឆ្នាំ២០១៨"."""
    from syndicate.i18n import localizer  # Babel's date tables load only when pages are written

    return localizer(code, templates_dir() / "messages")


def _direction(spec: FeedSpec, lang: str) -> str:
    return spec.direction if spec.language else language_direction(lang)


@cache
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


@cache
def _env() -> jinja2.Environment:
    from jinja2 import StrictUndefined

    return template_environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
