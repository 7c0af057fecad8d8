"""What subscribers get beside the feeds (docs/subscribers.md): each feed's readable index.html,
the site index, feeds.opml, the XSL stylesheet and the RFC 5005 archive pages.

Each file goes into the build's output plan (system/output_plan.py) with the digest of its inputs, as the
feeds do: an unchanged one is neither rebuilt nor rewritten, and one that nothing produces any more
is removed by the build.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import NamedTuple, Protocol

from syndicate.config import Settings
from syndicate.emit import FORMATS, FeedView
from syndicate.emit.news_sitemap import NEWS_SITEMAP_NAME, news_sitemap_bytes
from syndicate.emit.opml import OPML_NAME, opml_bytes
from syndicate.emit.pages import PAGE_NAME, Listed, feed_page_bytes, page_path, site_index_bytes, stylesheet_bytes
from syndicate.model import Post, RenderedPost
from syndicate.select import Entry, FeedSpec
from syndicate.subscribers.archive import (
    ArchivePage,
    archive_pages,
    archive_urls,
    feed_file_of,
    page_links,
    subscription_links,
)
from syndicate.system.output_plan import OutputPlan, inputs_digest

XSL_NAME = "feed.xsl"
SUBSCRIBER_FILES = (PAGE_NAME, OPML_NAME, XSL_NAME, NEWS_SITEMAP_NAME)


class Site(Protocol):
    """What these files need of the build's site (pipeline/site.py): the build hands it in, so the
    subscriber files depend on no part above them."""

    settings: Settings

    def post(self, source: str) -> Post: ...
    def render(self, posts: Iterable[Post]) -> None: ...
    def rendered(self, post: Post) -> RenderedPost: ...
    def body_inputs(self, source: str) -> tuple: ...


class FeedJob(Protocol):
    """What the build planned for one subscription feed (pipeline/build.py's _FeedJob)."""

    spec: FeedSpec
    posts: list[Post]
    feed_urls: dict[str, str]
    inputs: str
    extras: dict
    archive: list[ArchivePage]


def is_subscriber_file(name: str, formats: Sequence[str]) -> bool:
    """Whether a file name in OUT is one of ours, for a build that writes `formats`."""
    feed_file = feed_file_of(name)
    return name in SUBSCRIBER_FILES or any(FORMATS[fmt][0] == feed_file for fmt in formats)


def page_language(settings: Settings) -> str:
    """The interface language of pages that belong to no language: the site's first language."""
    first = next(iter(settings.languages.values()), None)
    return first.code if first else "en"


def archive_plan(settings: Settings, spec: FeedSpec, visible: list[Entry]) -> list[ArchivePage]:
    """The feed's archive pages; none unless `[feeds] archives = true`."""
    if not settings.archives:
        return []
    return archive_pages([e for e in visible if spec.matches(e)], spec.limit, settings.archive_page_size)


def subscription_extras(settings: Settings, spec: FeedSpec, feed_urls: dict[str, str],
                        archive: list[ArchivePage]) -> dict:
    """The FeedView fields a subscription feed carries for subscribers."""
    return {
        "hub_urls": settings.hubs,
        "stylesheet_url": _stylesheet_href(settings, spec.folder),
        "html_url": f"{settings.feed_base_url}/{page_path(spec.folder)}",
        "html_language": spec.language_code or page_language(settings),
        "archive_links": subscription_links(feed_urls, archive) or None,
    }


def write_subscriber_files(site: Site, out: OutputPlan, jobs: Sequence[FeedJob], generator_version: str,
                           news: dict[str, list[Entry]] | None = None) -> None:
    """Plan every subscriber file in `out` and write those whose inputs changed.
    `news`: each language's posts for its Google News sitemap (emit/news_sitemap.py)."""
    settings = site.settings
    language = page_language(settings)
    sitemaps = _write_news_sitemaps(out, settings, jobs, news or {})
    views: dict[str, FeedView] = {}

    def view(job: FeedJob) -> FeedView:
        if job.spec.folder not in views:
            views[job.spec.folder] = FeedView(
                job.spec, tuple(site.rendered(p) for p in job.posts), job.feed_urls, generator_version,
                full_content=settings.content == "full", **job.extras)
        return views[job.spec.folder]

    for job in jobs:
        if job.spec.folder:  # the site feed's page is the site index
            out.put(page_path(job.spec.folder), inputs_digest([job.inputs, "page"]),
                    lambda job=job: feed_page_bytes(view(job), language))
        _write_archive(out, site, job, generator_version)
    site_job = next((job for job in jobs if job.spec.language is None), None)
    if site_job is not None:  # a build of one language leaves the site-wide files alone
        listed = [Listed(job.spec, job.feed_urls) for job in jobs]
        everything = [(item.spec, item.feed_urls) for item in listed]
        out.put(PAGE_NAME, inputs_digest([everything, site_job.inputs, sitemaps, "index"]), lambda: site_index_bytes(
            title=settings.title, description=settings.description, home_url=site_job.spec.home_url,
            page_language=language, opml=OPML_NAME, feeds=listed, site_view=view(site_job), news_sitemaps=sitemaps))
        out.put(OPML_NAME, inputs_digest([everything, "opml"]), lambda: opml_bytes(settings.title, listed))
    if settings.stylesheet is True:
        for folder, (code, direction) in _stylesheet_folders(jobs, language).items():
            out.put(f"{folder}/{XSL_NAME}".lstrip("/"), inputs_digest([code, direction, "xsl"]),
                    lambda code=code, direction=direction: stylesheet_bytes(code, direction))


def _write_news_sitemaps(out: OutputPlan, settings: Settings, jobs: Sequence[FeedJob],
                         news: dict[str, list[Entry]]) -> dict[str, str]:
    """Each language's news sitemap, when it has posts in the window: language key -> its path in OUT."""
    written = {}
    for job in jobs:
        spec = job.spec
        entries = news.get(spec.language or "")
        if spec.language is None or spec.category is not None or not entries:
            continue
        rel = f"{spec.folder}/{NEWS_SITEMAP_NAME}"
        publication = settings.language(spec.language).title
        code = spec.language_code or "und"
        inputs = inputs_digest([publication, code, settings.timezone.key,
                                [(e.url, e.title, e.timestamp) for e in entries]])
        out.put(rel, inputs, lambda publication=publication, code=code, entries=entries: news_sitemap_bytes(
            publication, code, entries, settings.timezone))
        written[spec.language] = rel
    return written


def _write_archive(out: OutputPlan, site: Site, job: FeedJob, generator_version: str) -> None:
    settings = site.settings
    plans = [_plan_page(out, site, job, page) for page in job.archive]
    site.render(p for plan in plans if plan.pending for p in plan.posts)  # on every worker at once
    for plan in plans:
        view = FeedView(job.spec, tuple(site.rendered(p) for p in plan.posts) if plan.pending else (),
                        plan.urls, generator_version, full_content=settings.content == "full",
                        stylesheet_url=job.extras["stylesheet_url"], archive_links=plan.links, archived=True,
                        updated_when_empty=plan.opened)
        for fmt in plan.pending:
            out.write(plan.files[fmt], FORMATS[fmt][2](view))


class _PagePlan(NamedTuple):
    posts: list[Post]
    urls: dict[str, str]  # format -> URL of this page
    files: dict[str, str]  # format -> path in OUT
    links: dict[str, dict[str, str]]
    opened: datetime | None
    pending: list[str]  # formats whose file is missing or out of date


def _plan_page(out: OutputPlan, site: Site, job: FeedJob, page: ArchivePage) -> _PagePlan:
    posts = [site.post(e.source) for e in page.entries]
    urls = archive_urls(job.feed_urls, page.number)
    links = page_links(job.feed_urls, page)
    opened = None if page.entries else _opened(job.archive, page)
    # A page is rewritten only when one of its own posts, its neighbours or its settings change.
    inputs = inputs_digest([job.spec, urls, links, site.settings.content, job.extras["stylesheet_url"], opened,
                            [(p.source, site.body_inputs(p.source), p.translation) for p in posts]])
    files = {fmt: f"{job.spec.folder}/{url.rpartition('/')[2]}".lstrip("/") for fmt, url in urls.items()}
    pending = [fmt for fmt, rel in files.items() if out.want(rel, inputs)]
    return _PagePlan(posts, urls, files, links, opened, pending)


def _opened(pages: list[ArchivePage], page: ArchivePage) -> datetime:
    """An empty newest page's `updated`: the newest post of the full page before it."""
    newest = pages[page.number - 2].entries[0]
    return datetime.fromtimestamp(newest.timestamp, timezone.utc)


def _stylesheet_href(settings: Settings, folder: str) -> str | None:
    """Our own XSL sits in each language folder (and OUT for the site feed): a relative link to it
    works on any host and in `syndicate serve`. Browsers apply XSL only from the feed's own origin."""
    if settings.stylesheet is True:
        return "../" * folder.count("/") + XSL_NAME
    return settings.stylesheet or None


def _stylesheet_folders(jobs: Sequence[FeedJob], page_language: str) -> dict[str, tuple[str, str]]:
    """Folder -> (language code, direction) of each feed.xsl: OUT and each language's folder."""
    folders = {}
    for job in jobs:
        spec = job.spec
        top = spec.folder.split("/", 1)[0]
        if spec.category is None:
            folders[top] = (spec.language_code or page_language, spec.direction)
    return folders
