"""One feed build: select what each feed carries, render only that, write only what changed."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from syndicate import __version__
from syndicate.collect.category_pages import category_pages
from syndicate.config import Settings
from syndicate.emit import FORMATS, FeedView
from syndicate.emit.news_sitemap import news_entries, next_change
from syndicate.model import BuildReport, Post, Problem
from syndicate.pipeline.site import Progress, Site
from syndicate.select import Entry, FeedSpec, Timeline, slugify, specs_for
from syndicate.subscribers.files import archive_plan, is_subscriber_file, subscription_extras, write_subscriber_files
from syndicate.system.output import remove_stale_temps, write_if_changed
from syndicate.system.output_plan import OutputPlan, inputs_digest
from syndicate.system.workers import map_in_background

PARALLEL_FEEDS = 16  # feeds to write before forking workers pays for itself
MAX_WRITERS = 4  # feed files serialised and written at once: both cores and the disk busy; more only contend


@dataclass(frozen=True, slots=True)
class FeedFilter:
    """The part of a site's feeds one daemon channel writes (feeds/*.toml); the default is all."""

    language: str | None = None  # None: every language and the site-wide feed
    formats: tuple[str, ...] = tuple(FORMATS)

    def wants(self, spec: FeedSpec) -> bool:
        return self.language is None or spec.language == self.language

    def covers(self, rel: str) -> bool:
        """Whether an output file (path relative to OUT) is this filter's to write or remove."""
        folder, _, name = rel.rpartition("/")
        in_language = self.language is None or folder.split("/", 1)[0] == slugify(self.language)
        return in_language and (any(FORMATS[fmt][0] == name for fmt in self.formats)
                                or is_subscriber_file(name, self.formats))


@dataclass
class _FeedJob:
    """One feed's plan: its posts, the digest of everything its bytes depend on, what to write."""

    spec: FeedSpec
    entries: list[Entry]
    feed_urls: dict[str, str]
    inputs: str
    pending: list[str]  # formats whose file is missing or was written from other inputs
    site: Site = field(repr=False)
    extras: dict = field(default_factory=dict)  # FeedView fields for subscribers (subscriber_files.py)
    archive: list = field(default_factory=list)  # its RFC 5005 archive pages, when archives are on

    @cached_property
    def posts(self) -> list[Post]:
        """The full posts, read back from the cache only for feeds that are written."""
        return [self.site.post(e.source) for e in self.entries]


def build(settings: Settings, out_dir: Path, *, now: datetime, state_dir: Path | None = None,
          progress: Progress | None = None, only: FeedFilter = FeedFilter(), workers: int = 1) -> BuildReport:
    """Write the feeds `only` selects. `workers` > 1 parses, renders and serialises on that many
    processes (callers that run threads, like the daemon, keep the default of 1)."""
    started = time.perf_counter()
    with Site.open(settings, state_dir, workers) as site:
        return build_site(site, out_dir, now=now, progress=progress, only=only, started=started)


def build_site(site: Site, out_dir: Path, *, now: datetime, progress: Progress | None = None,
               only: FeedFilter = FeedFilter(), started: float | None = None) -> BuildReport:
    """`build` on a site already open: the daemon keeps one per channel and refreshes it with the
    files its watcher saw change, so a saved post costs what changed, not a scan of every post."""
    started = time.perf_counter() if started is None else started
    out_dir = Path(out_dir)
    if not site.builds:  # left by a build that was killed mid-write (a site kept open leaves none)
        remove_stale_temps(out_dir)
    site.builds += 1
    cache = site.cache
    site.now = now  # what `site.posts` holds
    plan = OutputPlan(cache, out_dir)
    if not site.changed and _nothing_to_do(site, plan, now, only):
        last = cache.state[repr(only)]
        # The same inputs have the same problems: say them again, so --strict means the same.
        return BuildReport(posts_cached=len(site.files), posts_published=last["published"],
                           files_unchanged=len(cache.outputs),
                           problems=tuple(Problem(*p) for p in last["problems"]),
                           seconds=time.perf_counter() - started, extra={"nothing_changed": 1})
    site.load(progress)
    timeline = site.timeline(now)
    specs, spec_problems = _specs(site, timeline, now)
    jobs = _plan(site, plan, [spec for spec in specs if only.wants(spec)], timeline, now, only.formats)
    news = {job.spec.language: news_entries(timeline.newest((job.spec.language, None), now), job.spec.language, now)
            for job in jobs if job.spec.language is not None and job.spec.category is None}
    site.render(post for job in jobs if job.pending for post in job.posts)
    feeds = _pending_feeds(site, plan, jobs)
    # Many feeds (a cold build) are serialised on the workers while this process writes the
    # pages beside them; a few (one new post) cost less than forking for them.
    with map_in_background(_write_feed, feeds, workers=site.workers, min_items=PARALLEL_FEEDS,
                           in_process=_write_feeds) as feeds_written:
        write_subscriber_files(site, plan, jobs, __version__, news)
        for feed, outcome in zip(feeds, feeds_written(), strict=True):
            for rel, written in zip(feed.files, outcome, strict=True):
                plan.record(rel, written)
    plan.remove_stale(only.covers)
    # Every feed is on disk: what follows is bookkeeping for the next build and the report.
    in_feeds = {e.source: e for job in jobs for e in job.entries}
    problems = (site.problems + spec_problems + [site.located(p) for p in site.duplicate_urls()]
                + site.post_problems(in_feeds[source] for source in sorted(in_feeds)))
    published_count = timeline.count(only.language, now)
    cache.state = {**cache.state, repr(only): {
        "scan": site.scan_digest, "next": _next_change(site, now, news), "published": published_count,
        "problems": [astuple(p) for p in problems]}}
    site.commit()
    return BuildReport(
        posts_read=len(site.fresh), posts_cached=site.cached_headers, posts_rendered=site.rendered_now,
        posts_published=published_count,
        files_written=tuple(plan.written), files_unchanged=plan.unchanged,
        problems=tuple(problems), seconds=time.perf_counter() - started,
    )


def _next_change(site: Site, now: datetime, news: dict[str, list[Entry]]) -> float | None:
    """When outputs change with no file changed: a post comes due, or one leaves a news sitemap."""
    times = [site.next_publication(now), *(next_change(items) for items in news.values())]
    return min((t for t in times if t is not None), default=None)


def warm(site: Site, now: datetime, only: FeedFilter = FeedFilter()) -> None:
    """Do ahead what the first build after a saved post would otherwise wait for: decode the
    entries, order them, import the Markdown renderer, the serialisers and the page templates,
    and build the RSS and Atom entries of every feed `only` selects (the serialisers keep them;
    a start-up build on workers built them there)."""
    import syndicate.emit.pages  # noqa: F401
    import syndicate.render.pipeline  # noqa: F401
    from syndicate.emit.feedgen_feeds import prepare_entries

    site.now = now
    timeline = site.timeline(now)
    site.paths  # noqa: B018
    full_content = site.settings.content == "full"
    specs = [spec for spec in _specs(site, timeline, now)[0] if only.wants(spec)]
    for spec, chosen in timeline.select(specs, now).items():
        rendered = [site.rendered(site.post(e.source)) for e in chosen]
        for fmt in ("rss", "atom"):
            if fmt in only.formats:
                prepare_entries(fmt, rendered, full_content, spec.language_code)


def _specs(site: Site, timeline: Timeline, now: datetime) -> tuple[list[FeedSpec], list[Problem]]:
    return specs_for(timeline.names(now), site.settings, lambda language, folded: timeline.visible((language, folded), now),
                     category_pages(site.settings))


def _nothing_to_do(site: Site, plan: OutputPlan, now: datetime, only: FeedFilter) -> bool:
    """Same files, settings, filter and code, no post come due since: every output is already right."""
    cache = site.cache
    last = cache.state.get(repr(only))
    if not cache.outputs or not isinstance(last, dict) or last.get("scan") != site.scan_digest:
        return False
    due = last.get("next")
    if due is not None and now.timestamp() >= due:
        return False
    return plan.on_disk(only.covers)


def _plan(site: Site, plan: OutputPlan, specs: list[FeedSpec], timeline: Timeline, now: datetime,
          formats: tuple[str, ...]) -> list[_FeedJob]:
    settings = site.settings
    jobs = []
    for spec, chosen in timeline.select(specs, now).items():
        if not chosen:
            continue
        feed_urls = {fmt: _feed_url(settings, spec.folder, FORMATS[fmt][0]) for fmt in FORMATS if fmt in formats}
        # archive_plan filters what it is given by the feed: hand it only that feed's posts.
        archive = archive_plan(settings, spec, timeline.visible((spec.language, spec.category), now)
                               if settings.archives else [])
        extras = subscription_extras(settings, spec, feed_urls, archive)
        # Everything a feed's bytes depend on; equal digests mean the file on disk is already right.
        translations = [site.translation(e) for e in chosen]
        inputs = inputs_digest([spec, feed_urls, settings.content, extras,
                                [(e.source, site.body_inputs(e.source), t and (t.url, t.title, t.language))
                                 for e, t in zip(chosen, translations, strict=True)]])
        pending = [fmt for fmt in feed_urls if plan.want(_output(spec, fmt), inputs)]
        jobs.append(_FeedJob(spec, chosen, feed_urls, inputs, pending, site, extras, archive))
    return jobs


def _pending_feeds(site: Site, plan: OutputPlan, jobs: list[_FeedJob]) -> list[_PendingFeed]:
    return [_PendingFeed(FeedView(job.spec, tuple(site.rendered(p) for p in job.posts), job.feed_urls, __version__,
                                  full_content=site.settings.content == "full", **job.extras),
                         {_output(job.spec, fmt): (fmt, plan.path(_output(job.spec, fmt))) for fmt in job.pending})
            for job in jobs if job.pending]


class _PendingFeed(NamedTuple):
    view: FeedView
    files: dict[str, tuple[str, Path]]  # path in OUT -> (format, file to write)


def _write_feed(feed: _PendingFeed) -> list[bool]:
    """Serialise one feed in each pending format and write each file that changed, on a worker
    process (the plan records the outcome in this one)."""
    return _write_feeds([feed])[0]


def _write_feeds(feeds: list[_PendingFeed]) -> list[list[bool]]:
    """Serialise and write each feed file on its own thread. lxml lets go of the interpreter
    while it writes out a tree, and each file waits on the disk (it is fsynced before its
    rename): threads overlap both, so a saved post's feeds reach the disk together, not one
    after another. Every write is still atomic on its own."""
    files = sum(len(feed.files) for feed in feeds)
    with ThreadPoolExecutor(max_workers=min(files, MAX_WRITERS) or 1, thread_name_prefix="write") as writer:
        writes = [[writer.submit(_write_format, feed.view, fmt, path) for fmt, path in feed.files.values()]
                  for feed in feeds]
        return [[future.result() for future in feed_writes] for feed_writes in writes]


def _write_format(view: FeedView, fmt: str, path: Path) -> bool:
    return write_if_changed(path, FORMATS[fmt][2](view))


def _output(spec: FeedSpec, fmt: str) -> str:
    return f"{spec.folder}/{FORMATS[fmt][0]}".lstrip("/")


def _feed_url(settings: Settings, folder: str, name: str) -> str:
    # Folders keep their script on disk (english/នយោបាយ); in a URL they must be percent-encoded.
    return f"{settings.feed_base_url}/{quote(folder) + '/' if folder else ''}{name}"
