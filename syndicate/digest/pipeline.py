"""Producing one digest: plan its window from the ledger, pick its posts, render, write, record.

The I/O is here at the edges (the site through Site, the ledger, the output files); choosing
windows and posts, and building the view and the bytes, are pure functions of what they read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from syndicate.config import Settings
from syndicate.digest.compose import DigestView, build_view, candidates, language_folder, with_list_cut
from syndicate.digest.inline import inline_css
from syndicate.digest.ledger import DigestRecord, Ledger
from syndicate.digest.mime import Envelope, html_size_as_sent, message_bytes
from syndicate.digest.spec import DigestError, DigestResult, DigestSpec, default_list_id, period_name, site_host
from syndicate.digest.templates import render_html, render_text, stylesheet
from syndicate.digest.window import UTC, Window, bounded, due_window, stamp, window_ending
from syndicate.i18n import CatalogueError, Localizer, localizer
from syndicate.model import Problem, RenderedPost
from syndicate.pipeline.site import Site
from syndicate.select import Entry, published
from syndicate.sources import templates_dir
from syndicate.system.output import confined, remove_stale_temps, write_if_changed

# Gmail clips a message whose HTML passes about 102 KB; stay clear of it as sent.
HTML_BUDGET = 102_000
# Titles listed after the posts shown in full, at most; a link to the site stands for the rest.
# It bounds the work as well as the size: a window of 100,000 posts renders 100 titles, not all.
LISTED_AT_MOST = 100
# `web` is the archived copy that "view in your browser" opens: the email's HTML without the
# unsubscribe link, whose merge tag means nothing outside the ESP.
FORMATS = ("html", "txt", "eml", "json", "web")
_SUFFIXES = {"web": "web.html"}
_UNSUBSCRIBE_LINK = re.compile(r"<!--unsubscribe-->.*?<!--/unsubscribe-->", re.DOTALL)


def produce(settings: Settings, spec: DigestSpec, *, out_dir: Path, state_dir: Path, now: datetime,
            window_end: datetime | None = None, workers: int = 1) -> DigestResult | None:
    """Write the digest of `spec` for the window ending at `window_end` (or, when None, the one
    due at `now`: everything since the list's last digest up to the latest cut-off), record it
    in the ledger and return it. None when no window is due, or the window has no posts and
    `spec.send_empty` is off. Producing a recorded window again reuses its posts, so its files
    come out byte for byte the same while the posts are unchanged.

    Raises DigestError when the window has not closed by `now`. `workers` > 1 parses the site
    on that many processes when the cache has not seen it (callers that run threads keep 1).
    """
    tz = spec.zone(settings)
    remove_stale_temps(confined(Path(out_dir), digest_folder(spec)))  # left by a killed digest
    with Ledger(state_dir) as ledger, Site.open(settings, state_dir, workers) as site:
        site.now = now  # what `site.posts` holds
        record, window, reach = _plan(ledger, spec, tz, now, window_end)
        if window is None:
            return None
        if window.end > now:
            raise DigestError(f"the {spec.list_id} window ending {window.end.isoformat()} has not closed "
                              f"at {now.isoformat()}")
        entries = site.entries()
        problems: list[Problem] = []
        if record is not None:
            chosen = _recorded(record, entries, problems)
        else:
            first = ledger.first(spec.list_id)
            due = candidates(published(entries, settings, window.end), window, spec,
                             first.window_start if first else None)
            chosen = [e for e in due if not ledger.contains(spec.list_id, e.url)]
            if reach < window.start:
                problems.append(_left_out(entries, settings, spec, Window(reach, window.start), chosen, ledger))
            if not chosen and not spec.send_empty:
                site.commit()  # the headers read serve the next run (a daemon's every digest job)
                return None
        posts = [site.rendered(site.post(e.source)) for e in chosen]
        site.commit()
        sources = {e.source for e in chosen}
        problems = [p for p in site.problems if p.source in sources] + site.post_problems(chosen) + [
            p for p in problems if p is not None]
        result = _write(settings, spec, window, tz, posts, Path(out_dir), problems)
        if record is None:
            ledger.record(spec.list_id, window.start, window.end, result.message_id, result.post_ids, result.paths)
    return replace(result, repeated=record is not None)


def _write(settings: Settings, spec: DigestSpec, window: Window, tz: ZoneInfo, posts: list[RenderedPost],
           out_dir: Path, problems: list[Problem]) -> DigestResult:
    """Render the digest of `posts` in every format and write the files that changed."""
    try:
        loc = localizer(settings.language(spec.language).code, templates_dir() / "messages", spec.labels)
    except CatalogueError as exc:
        raise DigestError(str(exc)) from exc
    stem = f"{digest_folder(spec)}/{stamp(window.end, spec.period, tz)}"
    view = build_view(posts, settings=settings, spec=spec, window=window, tz=tz, loc=loc,
                      archive_url=f"{settings.feed_base_url}/{stem}.{_SUFFIXES['web']}")
    view, html, html_sent = _fit(view, loc)
    if html_sent > HTML_BUDGET:  # only a site title or labels of many kilobytes get here
        problems.append(Problem(f"{stem}.html", f"{html_sent} bytes as sent even with no post shown or listed; "
                                f"Gmail clips above {HTML_BUDGET}", severity="warning"))
    if view.unlisted:
        problems.append(Problem(f"{stem}.html", f"{len(view.items)} posts: {view.shown_in_full} shown in full, "
                                f"{len(view.listed)} listed by title and {view.unlisted} only counted, to stay "
                                f"under {HTML_BUDGET} bytes as sent", severity="warning"))
    text = render_text(view)
    host = site_host(settings)
    message_id = f"<{spec.list_id}.{window.end.astimezone(UTC):%Y%m%dT%H%M%S}@{host}>"
    eml = message_bytes(Envelope(
        subject=view.subject, from_name=view.site_name, from_address=spec.from_address,
        to_address=spec.list_address, date=window.end.astimezone(tz), message_id=message_id,
        list_name=view.site_name, list_id=f"{spec.list_id}.{host}", unsubscribe=spec.unsubscribe,
        unsubscribe_mailto=spec.unsubscribe_mailto, language=view.lang), text, html)
    files = {"html": html.encode(), "txt": text.encode(), "eml": eml, "web": web_copy(html).encode()}
    files["json"] = _summary(view, spec, window, message_id, files, html_sent)
    paths = {fmt: confined(out_dir, f"{stem}.{_SUFFIXES.get(fmt, fmt)}") for fmt in FORMATS}
    written = tuple(paths[fmt] for fmt in FORMATS if write_if_changed(paths[fmt], files[fmt]))
    return DigestResult(paths=paths, message_id=message_id, subject=view.subject, window_start=window.start,
                        window_end=window.end, post_ids=tuple(i.id for i in view.items), written=written,
                        problems=tuple(problems))


def web_copy(html: str) -> str:
    """The archived copy of the email's HTML: the same, less the unsubscribe link."""
    return _UNSUBSCRIBE_LINK.sub("", html)


def digest_folder(spec: DigestSpec) -> str:
    """`digests/<language>/<period>`; a list with an id of its own (two lists of one language and
    period, say one per category) gets a folder of its own below that, so neither overwrites
    the other's files."""
    folder = f"digests/{language_folder(spec.language)}/{period_name(spec.period)}"
    return folder if spec.list_id == default_list_id(spec.language, spec.period) else f"{folder}/{spec.list_id}"


def _plan(ledger: Ledger, spec: DigestSpec, tz: ZoneInfo, now: datetime,
          window_end: datetime | None) -> tuple[DigestRecord | None, Window | None, datetime | None]:
    """The recorded digest for the window (when there is one), the window itself, and where it
    would have started without the `max_periods` bound (its own start when not cut).

    A window given by its end covers one period, or reaches back to the end of the list's last
    digest when that is earlier: after downtime nothing falls into a gap between two digests,
    unless the gap is longer than `max_periods`, where the caller reports what it leaves out.
    """
    last = ledger.last(spec.list_id)
    if window_end is None:
        window = due_window(now, spec.period, spec.cutoff_time, tz, last.window_end if last else None)
        if window is None:
            return None, None, None
    else:
        window = window_ending(window_end, spec.period, tz)
        if last is not None and last.window_end < window.start:
            window = Window(last.window_end, window.end)
    record = ledger.find(spec.list_id, window.end)
    if record is not None:
        window = Window(record.window_start, record.window_end)
        return record, window, window.start
    return None, bounded(window, spec.period, tz, spec.max_periods), window.start


def _left_out(entries: list[Entry], settings: Settings, spec: DigestSpec, gap: Window, chosen: list[Entry],
              ledger: Ledger) -> Problem | None:
    """A warning naming the posts published in `gap` (before a window cut to `max_periods`) that
    no digest of the list carries: they are left out on purpose, and said so."""
    taken = {e.url for e in chosen}
    missed = [e for e in candidates(published(entries, settings, gap.end), gap, spec, None)
              if e.url not in taken and not ledger.contains(spec.list_id, e.url)]
    if not missed:
        return None
    return Problem(spec.list_id, f"the window starts at {gap.end.isoformat()}, {spec.max_periods} periods back "
                   f"(max_periods), not at the last digest's end {gap.start.isoformat()}: {len(missed)} posts "
                   f"published in between are in no digest of the list, from {missed[-1].url} to {missed[0].url}",
                   severity="warning")


def _recorded(record: DigestRecord, entries: list[Entry], problems: list[Problem]) -> list[Entry]:
    """The entries of a recorded digest, in its order; posts since deleted are reported, not fatal."""
    by_url = {e.url: e for e in entries}
    for post_id in record.post_ids:
        if post_id not in by_url:
            problems.append(Problem(post_id, f"was in the {record.list_id} digest {record.message_id} "
                                    "but is no longer on the site", severity="warning"))
    return [by_url[p] for p in record.post_ids if p in by_url]


def _fit(view: DigestView, loc: Localizer) -> tuple[DigestView, str, int]:
    """The view with as many posts shown in full as keep the HTML under the budget as sent (the
    rest become a linked list of at most LISTED_AT_MOST titles), its inlined HTML and that size.
    When even no post in full is too large, the list is shortened too, down to none: a line
    with the number of posts left and a link to the site stands for them. Fewer is never
    larger, so binary searches need only a few renders."""
    def render(shown: DigestView) -> tuple[DigestView, str, int]:
        html = inline_css(render_html(shown), stylesheet(), (view.unsubscribe,))
        return shown, html, html_size_as_sent(html)

    def in_full(full: int) -> tuple[DigestView, str, int]:
        return render(with_list_cut(replace(view, shown_in_full=full), min(len(view.items) - full, LISTED_AT_MOST), loc))

    best = _largest_fitting(in_full, view.shown_in_full)
    if best[2] <= HTML_BUDGET or not best[0].listed:
        return best
    return _largest_fitting(lambda listed: render(with_list_cut(best[0], listed, loc)), len(best[0].listed))


def _largest_fitting(attempt: Callable[[int], tuple[DigestView, str, int]], most: int) -> tuple[DigestView, str, int]:
    """attempt(n) for the largest n in [0, most] that fits the budget (attempt(0) when none
    does), attempt(n) growing with n."""
    best = attempt(most)
    if best[2] <= HTML_BUDGET:
        return best
    low, high, fitting = 0, most - 1, {}  # the answer is in [low, high]; `low` may still be too big
    while low < high:
        middle = (low + high + 1) // 2
        if (tried := attempt(middle))[2] <= HTML_BUDGET:
            low, fitting[middle] = middle, tried
        else:
            high = middle - 1
    return fitting.get(low) or attempt(low)


def _summary(view: DigestView, spec: DigestSpec, window: Window, message_id: str,
             files: dict[str, bytes], html_sent: int) -> bytes:
    summary = {
        "list_id": spec.list_id, "language": spec.language, "language_code": view.lang,
        "subject": view.subject, "preheader": view.preheader, "message_id": message_id,
        "window": {"start": window.start.isoformat(), "end": window.end.isoformat()},
        "items": [item.id for item in view.items], "shown_in_full": view.shown_in_full,
        "listed": len(view.listed), "unlisted": view.unlisted,
        "bytes": {"html": len(files["html"]), "html_as_sent": html_sent, "txt": len(files["txt"]),
                  "eml": len(files["eml"]), "web": len(files["web"])},
    }
    return (json.dumps(summary, ensure_ascii=False, indent=2) + "\n").encode()
