"""A site as the outputs see it: every post's selection entry, and full posts and rendered bodies
on demand, all backed by the build cache. Feeds and digests both read the site through this."""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote

from syndicate import __version__
from syndicate.collect.jekyll import SourceFile, Unreadable, at_key_line, read_body, read_header, scan, source_file_at
from syndicate.config import Settings
from syndicate.model import Media, Post, Problem, RenderedPost
from syndicate.pipeline.cache import Cache, HeaderRecord
from syndicate.render.post_list import PostList, PostListNeeded, post_list
from syndicate.select import (
    Entry,
    Timeline,
    duplicate_urls,
    next_publication,
    published,
    resolve_translation,
    translation_problem,
    translation_target,
)
from syndicate.sources import code_fingerprint
from syndicate.system.workers import map_parallel

Progress = Callable[[str, int, int], None]  # (stage, done, total)
PARALLEL_HEADERS = 400  # below this many changed files, parsing in-process is faster (measured: 250 and 500)
PARALLEL_RENDERS = 64
REBUILD_SHARE = 1 / 16  # changed entries beyond this share of all: rebuild the timeline, not update it


def cache_key(settings: Settings) -> str:
    return f"{__version__}/{settings.fingerprint()}/{code_fingerprint()}"


class Site:
    """Open with `Site.open(...)` as a context manager; `commit()` saves what was learnt.

    A long-lived process (the daemon) keeps one open across builds and calls `refresh` before
    each: the files the watcher saw change are looked at alone, and the entries, the timeline
    and the translation index are updated in place instead of being read back from the cache."""

    def __init__(self, settings: Settings, cache: Cache, files: dict[str, SourceFile], workers: int = 1):
        self.settings = settings
        self.cache = cache
        self.files = files
        self.workers = workers
        self.changed: bool | None = None  # since the last build: None when unknown (a fresh scan)
        self._loaded = False
        self._entries: list[Entry] | None = None
        self._paths: _ByPath | None = None
        self._timeline: Timeline | None = None
        self._headers: dict[str, tuple[tuple[int, int], Post]] = {}  # as read, kept between builds
        self._front_matter: dict[str, tuple[tuple[int, int], dict]] = {}  # for `site.posts`, kept between builds
        self.builds = 0  # builds of this site object so far
        # The build's time: `site.posts` holds the posts published by then, as Jekyll's does.
        self.now: datetime | None = None
        self._start_run()

    def _start_run(self) -> None:
        """Forget what one build learnt that the next must not reuse (translations may have moved)."""
        # The last build's renderings, each with what it was made from (file, post list read), may
        # serve the next (see _kept_rendering); older ones go.
        kept = getattr(self, "_kept", {})
        self._kept: dict[str, tuple[tuple[int, int], str | None, RenderedPost]] = {
            source: kept[source] for source in getattr(self, "_rendered", ())}
        self.fresh: dict[str, bytes] = {}  # pickled headers of the files parsed in this run
        self.cached_headers = 0
        self.rendered_now = 0  # bodies rendered in this run (the rest came from the cache)
        self._posts: dict[str, Post] = {}  # translations resolved: valid for one build
        self._translations: dict[str, Entry | None] = {}  # likewise
        self._rendered: dict[str, RenderedPost] = {}
        self._post_list: PostList | None = None
        self._post_list_digest: str | None = None
        self.__dict__.pop("scan_digest", None)

    @classmethod
    def open(cls, settings: Settings, state_dir: Path | None, workers: int = 1) -> Site:
        files = {f.source: f for f in scan(settings)}
        cache = Cache(state_dir / "cache.sqlite" if state_dir else None, cache_key(settings))
        return cls(settings, cache, files, workers)

    def __enter__(self) -> Site:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.cache.close()

    @cached_property
    def scan_digest(self) -> str:
        """Changes whenever any post file is added, removed or touched."""
        listing = [(f.source, f.size, f.mtime_ns) for f in sorted(self.files.values())]
        return hashlib.sha256(marshal.dumps(listing)).hexdigest()  # marshal: ten times faster than repr

    def refresh(self, changed: Iterable[str] | None = None) -> None:
        """Bring a site kept open up to date before another build. `changed`: the paths the file
        watcher reported (absolute or relative to the site), each looked at alone; None lists
        every folder again, as `open` does."""
        self._start_run()
        settings = self.settings
        if changed is not None and len(self.files) < settings.max_posts:  # at the limit: which posts count may shift
            root = os.path.realpath(settings.site_dir)  # the watcher reports paths below the resolved folder
            sources = {os.path.relpath(os.path.join(root, path), root).replace(os.sep, "/") for path in changed}
            for source in sources:
                file = source_file_at(settings, source)
                if file is None:
                    self.files.pop(source, None)
                else:
                    self.files[source] = file
        else:
            self.files = {f.source: f for f in scan(settings)}
            sources = None
        self.changed = None
        if self._loaded:
            self.changed = self._update(sources)

    def entries(self, progress: Progress | None = None) -> list[Entry]:
        """Every post's selection entry: from the cache when its file is unchanged, else parsed now."""
        self.load(progress)
        if self._entries is None:
            self._entries = [entry for _, entry in self.cache.entries.values() if entry is not None]
        return self._entries

    @property
    def problems(self) -> list[Problem]:
        """Every file's problems with its front matter; see post_problems."""
        self.load()
        cache = self.cache
        return [problem for source in sorted(cache.problem_sources) for problem in cache.problems(source)]

    def timeline(self, now: datetime) -> Timeline:
        """Published entries per feed key (select.Timeline), kept up to date by `refresh`."""
        if self.paths.shared:  # two posts, one URL: `published` keeps the first of each (rare)
            return Timeline(published(self.entries(), self.settings, now), self.settings)
        if self._timeline is None:
            self._timeline = Timeline(self.entries(), self.settings)
        return self._timeline

    def next_publication(self, now: datetime) -> float | None:
        """When the next future-dated post becomes visible."""
        if self.paths.shared:
            return next_publication(self.entries(), now)
        return self.timeline(now).next_publication(now)

    def duplicate_urls(self) -> list[Problem]:
        return duplicate_urls(self.entries()) if self.paths.shared else []

    @property
    def paths(self) -> _ByPath:
        if self._paths is None:
            self._paths = _ByPath(self.entries())
        return self._paths

    def load(self, progress: Progress | None = None) -> None:
        """Read every file whose entry the cache lacks or holds for another version of it."""
        if self._loaded:
            return
        known = self.cache.entries
        stale = [f for f in self.files.values()  # in scan order: sorted
                 if (entry := known.get(f.source)) is None or entry[0] != (f.size, f.mtime_ns)]
        if progress and len(stale) >= PARALLEL_HEADERS:
            progress("read", 0, len(stale))
        self._store(stale, set(known) - set(self.files))
        self._loaded = True

    def _update(self, sources: set[str] | None) -> bool:
        """Apply what changed among `sources` (None: every file) to the loaded entries and the
        structures built over them; whether anything did."""
        known = self.cache.entries
        candidates = set(self.files) | set(known) if sources is None else sources
        stale = sorted((f for source in candidates if (f := self.files.get(source)) is not None
                        and ((entry := known.get(source)) is None or entry[0] != f.fingerprint)),
                       key=lambda f: f.source)
        removed = {source for source in candidates if source not in self.files and source in known}
        if not stale and not removed:
            self.cached_headers = len(self.files)
            return False
        before = [entry for f in stale if (entry := known.get(f.source, (None, None))[1]) is not None]
        before += [entry for source in removed if (entry := known[source][1]) is not None]
        records = self._store(stale, removed)
        for source in removed:
            self._headers.pop(source, None)
        after = [r.entry for r in records if r.entry is not None]
        self._entries = None
        if len(before) + len(after) > len(known) * REBUILD_SHARE:  # cheaper to sort afresh
            self._paths = self._timeline = None
        for structure in (self._paths, self._timeline):
            if structure is not None:
                for entry in before:
                    structure.remove(entry)
                for entry in after:
                    structure.add(entry)
        return True

    def _store(self, stale: list[SourceFile], removed: set[str]) -> list[HeaderRecord]:
        """Parse the stale files (on the workers when there are many) and note them in the cache."""
        records = map_parallel(_HeaderReader(self.settings), stale, workers=self.workers,
                               min_items=PARALLEL_HEADERS)
        cache = self.cache
        if records or removed:
            cache.begin()
        cache.put_headers(records)
        self.fresh = {r.source: r.header for r in records}
        cache.forget(removed)
        self.cached_headers = len(self.files) - len(stale)
        return records

    @property
    def by_path(self) -> dict[str, Entry]:
        """Every post's entry by its permalink path, for translation links."""
        return self.paths.first

    def translation(self, entry: Entry) -> Entry | None:
        """The post `entry`'s `translation:` names (select.translation_target), once per build."""
        if entry.source not in self._translations:
            self._translations[entry.source] = translation_target(entry, self.by_path, self.settings)
        return self._translations[entry.source]

    def post(self, source: str) -> Post:
        """The full header of a post, its translation resolved."""
        if source in self._posts:
            return self._posts[source]
        self.load()
        fp = self.files[source].fingerprint
        known = self._headers.get(source)
        if known is None or known[0] != fp:
            blob = self.fresh.get(source) or self.cache.header(source, fp)
            known = self._headers[source] = (fp, pickle.loads(blob))
        post, _ = resolve_translation(known[1], self.by_path, self.settings)  # see post_problems
        self._posts[source] = post
        return post

    def render(self, posts: Iterable[Post]) -> None:
        """Render every post not rendered yet, on all workers; results land in the cache."""
        todo = {p.source: p for p in posts if p.source not in self._rendered and self._kept_rendering(p) is None}
        cached = {source: self._cached(p) for source, p in todo.items()}
        missing = [p for p in todo.values() if cached[p.source] is None]
        results = map_parallel(_BodyRenderer(self.settings), missing, workers=self.workers,
                               min_items=PARALLEL_RENDERS) if missing else []
        for post, result in zip(missing, results, strict=True):
            if result is None:  # it reads `site.posts`, which the workers were not given
                result = _BodyRenderer(self.settings, self.post_list())(post)
            self.cache.put_rendered(post.source, self._fp(post), result)
            cached[post.source] = result
        self.rendered_now += len(missing)
        for post in todo.values():
            self._keep(post, cached[post.source])

    def rendered(self, post: Post) -> RenderedPost:
        """A post's body as safe HTML: from the cache when its file is unchanged (and the post
        list it read, if any, too), else rendered now."""
        if (kept := self._kept_rendering(post)) is not None:
            return kept
        cached = self._cached(post)
        if cached is None:
            cached = _BodyRenderer(self.settings)(post) or _BodyRenderer(self.settings, self.post_list())(post)
            self.cache.put_rendered(post.source, self._fp(post), cached)
            self.rendered_now += 1
        return self._keep(post, cached)

    def _kept_rendering(self, post: Post) -> RenderedPost | None:
        """This build's rendering of the post, or an earlier build's made from the same file, the
        same post (its translation link included), the same post list if it read one and the
        same image size. Kept as the same object, so what the emitters keep per rendered post
        (their entries) holds."""
        if post.source in self._rendered:
            return self._rendered[post.source]
        kept = self._kept.get(post.source)
        if (kept is None or kept[0] != self._fp(post) or kept[2].post != post
                or (kept[1] is not None and kept[1] != self.post_list_digest()) or kept[2].media != self._media(post)):
            return None
        self._rendered[post.source] = kept[2]
        return kept[2]

    def _keep(self, post: Post, cached: tuple) -> RenderedPost:
        html, summary, _, list_read = cached  # its problems: see post_problems
        code = self.settings.language(post.language).code
        rendered = self._rendered[post.source] = RenderedPost(post, html, summary, code, self._media(post))
        self._kept[post.source] = (self._fp(post), list_read, rendered)
        return rendered

    def _cached(self, post: Post) -> tuple | None:
        """The cached rendering of an unchanged file, unless it read a post list that has changed since."""
        cached = self.cache.rendered(post.source, self._fp(post))
        if cached is not None and cached[3] is not None and cached[3] != self.post_list_digest():
            return None
        return cached

    def body_inputs(self, source: str) -> tuple:
        """What a post's rendered body depends on, for the digests of the outputs that carry it:
        its file, and the post list when its rendering last read it."""
        fingerprint = self.files[source].fingerprint
        return (fingerprint, self.post_list_digest()) if self.cache.post_list_read(source) else fingerprint

    def post_list(self) -> PostList:
        """`site.posts` as Jekyll gives it to Liquid at `now`: every post published by then."""
        if self._post_list is None:
            self._post_list = post_list((self.post(e.source), self._meta(e.source)) for e in self._listed())
            self._post_list_digest = self._post_list.digest
        return self._post_list

    def post_list_digest(self) -> str:
        """The post list's digest, made only when the list's files or its members changed since
        the last build that made it (the cache's state keeps it by those)."""
        if self._post_list_digest is None:
            key = hashlib.sha256(marshal.dumps([(e.source, self.files[e.source].fingerprint)
                                                for e in sorted(self._listed())])).hexdigest()
            known = self.cache.state.get("post_list")
            if isinstance(known, list) and known[0] == key:
                self._post_list_digest = known[1]
            else:
                self._post_list_digest = self.post_list().digest
                self.cache.state = {**self.cache.state, "post_list": [key, self._post_list_digest]}
        return self._post_list_digest

    def _listed(self) -> list[Entry]:
        cutoff = (self.now or datetime.now(timezone.utc)).timestamp()
        return [e for e in self.entries() if e.timestamp <= cutoff]

    def _meta(self, source: str) -> dict:
        """A post's whole front matter, read again only when its file changed."""
        fp = self.files[source].fingerprint
        known = self._front_matter.get(source)
        if known is None or known[0] != fp:
            try:
                meta = read_body(self.settings, source)[3]
            except Unreadable:  # reported with the post's own rendering
                meta = {}
            known = self._front_matter[source] = (fp, meta)
        return known[1]

    def located(self, problem: Problem) -> Problem:
        """A problem about a post's front matter key, with that key's line (check gives it too)."""
        if problem.line is not None or problem.source not in self.files:
            return problem
        return at_key_line(problem, dict(self.post(problem.source).key_lines))

    def _media(self, post: Post) -> tuple[Media, ...]:
        return (self._sized(post.image),) if post.image else ()

    def _sized(self, media: Media) -> Media:
        """The media with its length in bytes when its URL is a file of the site (`/img/x.jpg`)."""
        base = self.settings.base_url + "/"
        if media.length is not None or not media.url.startswith(base):
            return media
        root = self.settings.site_dir.resolve()
        path = (root / unquote(media.url[len(base):].partition("?")[0].partition("#")[0])).resolve()
        try:
            if path.is_relative_to(root) and path.is_file():
                return replace(media, length=path.stat().st_size)
        except OSError:
            pass
        return media

    def post_problems(self, entries: Iterable[Entry]) -> list[Problem]:
        """What publishing these posts finds beyond their front matter: a translation that names no
        post, and what rendering each body repaired or dropped. From the index alone, so a build
        reports the same for a post whether or not it rendered the post's feeds this time."""
        problems = []
        for entry in entries:
            if problem := translation_problem(entry, self.translation(entry)):
                problems.append(self.located(problem))
            problems.extend(self.cache.render_problems(entry.source))
        return problems

    def commit(self) -> None:
        self.cache.commit()

    def _fp(self, post: Post) -> tuple[int, int]:
        return self.files[post.source].fingerprint


class _ByPath:
    """Every entry by its permalink path. When several posts share one (an error the build
    reports), the first by file name, as `published` keeps it; the others wait in `shared` in
    case it goes."""

    def __init__(self, entries: Iterable[Entry]):
        self.first: dict[str, Entry] = {}
        self.shared: dict[str, dict[str, Entry]] = {}  # path -> source -> entry, for shared paths only
        for entry in entries:
            self.add(entry)

    def add(self, entry: Entry) -> None:
        had = self.first.setdefault(entry.path, entry)
        if had is not entry:
            group = self.shared.setdefault(entry.path, {had.source: had})
            group[entry.source] = entry
            self.first[entry.path] = group[min(group)]

    def remove(self, entry: Entry) -> None:
        group = self.shared.get(entry.path)
        if group is None:
            del self.first[entry.path]
            return
        del group[entry.source]
        self.first[entry.path] = group[min(group)]
        if len(group) == 1:
            del self.shared[entry.path]


class _HeaderReader:
    """Parses one file into what the cache keeps; picklable, so workers can run it."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def __call__(self, file: SourceFile) -> HeaderRecord:
        header = read_header(file, self.settings)
        entry = Entry.of(header.post) if header.post else None
        return HeaderRecord(file.source, file.fingerprint, entry, pickle.dumps(header.post, 5),
                            header.problems)


class _BodyRenderer:
    """Renders one post's body to (html, summary, problems, digest of the `site.posts` it read);
    picklable, so workers can run it. Without `posts`, None for a body that reads them."""

    def __init__(self, settings: Settings, posts: PostList | None = None):
        self.settings = settings
        self.posts = posts
        # The Markdown stack loads only when something is rendered, and here, before any worker
        # is forked: each worker would otherwise import it again (a third of a second each).
        import syndicate.render.pipeline  # noqa: F401

    def __call__(self, post: Post) -> tuple[str, str, tuple[Problem, ...], str | None] | None:
        from syndicate.render import render_body, render_context

        settings = self.settings
        try:
            body, body_line, repaired, meta = read_body(settings, post.source)
        except Unreadable as exc:  # changed or deleted since its header was read: publish the header alone
            return "", post.summary or "", (Problem(post.source, str(exc), severity=exc.severity, line=exc.line),), None
        ctx = render_context(settings, post, meta, body_line, self.posts)
        try:
            result = render_body(body, ctx)
        except PostListNeeded:
            return None
        return result.html, result.summary, repaired + result.problems, result.post_list
