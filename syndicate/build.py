"""One feed build: select what each feed carries, render only that, write only what changed."""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import datetime
from pathlib import Path

from syndicate import __version__
from syndicate.config import Settings
from syndicate.emit import FORMATS, FeedView
from syndicate.model import BuildReport, Problem
from syndicate.output import confined, write_if_changed
from syndicate.select import Entry, FeedSpec, feed_specs, next_publication, published, select
from syndicate.site import Progress, Site

log = logging.getLogger(__name__)


def build(settings: Settings, out_dir: Path, *, now: datetime, state_dir: Path | None = None,
          progress: Progress | None = None) -> BuildReport:
    started = time.perf_counter()
    out_dir = Path(out_dir)
    with Site.open(settings, state_dir) as site:
        cache = site.cache
        if _nothing_to_do(site, out_dir, now):
            return BuildReport(posts_cached=len(site.files), files_unchanged=len(cache.outputs),
                               seconds=time.perf_counter() - started, extra={"nothing_changed": 1})
        entries = site.entries(progress)
        visible = published(entries, settings, now)
        specs, spec_problems = feed_specs(visible, settings)
        written, unchanged, produced = _emit_all(site, out_dir, specs, visible, progress)
        for stale in sorted(set(cache.outputs) - produced):
            _remove_output(out_dir, stale)
            del cache.outputs[stale]
        cache.state = {"scan": site.scan_digest, "next": next_publication(entries, now)}
        site.commit()
        problems = site.problems + spec_problems + _duplicate_urls(entries)
    return BuildReport(
        posts_read=len(site.fresh), posts_cached=site.cached_headers, posts_rendered=site.rendered_count,
        posts_published=len(visible), files_written=tuple(written), files_unchanged=unchanged,
        problems=tuple(problems), seconds=time.perf_counter() - started,
    )


def _nothing_to_do(site: Site, out_dir: Path, now: datetime) -> bool:
    """Same files, same settings and code, no post come due since: every output is already right."""
    cache = site.cache
    if not cache.outputs or cache.state.get("scan") != site.scan_digest:
        return False
    due = cache.state.get("next")
    if due is not None and now.timestamp() >= due:
        return False
    return all((out_dir / rel).is_file() for rel in cache.outputs)


def _emit_all(site: Site, out_dir: Path, specs: list[FeedSpec], visible: list[Entry],
              progress: Progress | None) -> tuple[list[str], int, set[str]]:
    settings = site.settings
    written: list[str] = []
    unchanged = 0
    produced: set[str] = set()
    for done, spec in enumerate(specs, 1):
        chosen = select(visible, spec)
        if not chosen:
            continue
        posts = [site.post(e.source) for e in chosen]
        feed_urls = {fmt: _feed_url(settings, spec.folder, name) for fmt, (name, _, _) in FORMATS.items()}
        # Everything a feed's bytes depend on; equal digests mean the file on disk is already right.
        inputs = _digest([spec, feed_urls, settings.content,
                          [(p.source, site.files[p.source].fingerprint, p.translation) for p in posts]])
        view: FeedView | None = None
        for fmt, (name, _, emitter) in FORMATS.items():
            rel = f"{spec.folder}/{name}".lstrip("/")
            produced.add(rel)
            target = confined(out_dir, rel)
            if site.cache.outputs.get(rel) == inputs and target.is_file():
                unchanged += 1
                continue
            if view is None:
                view = FeedView(spec, tuple(site.rendered(p) for p in posts), feed_urls, __version__,
                                full_content=settings.content == "full")
            if write_if_changed(target, emitter(view)):
                written.append(rel)
            else:
                unchanged += 1
            site.cache.outputs[rel] = inputs
        if progress:
            progress("feeds", done, len(specs))
    return written, unchanged, produced


def _duplicate_urls(entries: list[Entry]) -> list[Problem]:
    first: dict[str, str] = {}
    problems = []
    for entry in sorted(entries, key=lambda e: e.source):
        if entry.url in first:
            problems.append(Problem(entry.source, f"has the same URL as {first[entry.url]}: {entry.url}",
                                    field="permalink"))
        first.setdefault(entry.url, entry.source)
    return problems


def _feed_url(settings: Settings, folder: str, name: str) -> str:
    return f"{settings.feed_base_url}/{folder + '/' if folder else ''}{name}"


def _remove_output(out_dir: Path, rel: str) -> None:
    """An output no feed produces any more (its category emptied or excluded)."""
    try:
        confined(out_dir, rel).unlink()
        log.info("removed %s: no feed produces it any more", rel)
    except FileNotFoundError:
        pass


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()
