"""A site as the outputs see it: every post's selection entry, and full posts and rendered bodies
on demand, all backed by the build cache. Feeds and digests both read the site through this."""

from __future__ import annotations

import hashlib
import marshal
import pickle
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote

from syndicate import __version__
from syndicate.cache import Cache, HeaderRecord
from syndicate.collect.jekyll import SourceFile, Unreadable, at_key_line, read_body, read_header, scan
from syndicate.config import Settings
from syndicate.model import Media, Post, Problem, RenderedPost
from syndicate.select import Entry, resolve_translation, translation_problem, translation_target
from syndicate.sources import code_fingerprint
from syndicate.workers import map_parallel

Progress = Callable[[str, int, int], None]  # (stage, done, total)
PARALLEL_HEADERS = 2000  # below this many changed files, parsing in-process is faster
PARALLEL_RENDERS = 64


def cache_key(settings: Settings) -> str:
    return f"{__version__}/{settings.fingerprint()}/{code_fingerprint()}"


class Site:
    """Open with `Site.open(...)` as a context manager; `commit()` saves what was learnt."""

    def __init__(self, settings: Settings, cache: Cache, files: dict[str, SourceFile], workers: int = 1):
        self.settings = settings
        self.cache = cache
        self.files = files
        self.workers = workers
        self.problems: list[Problem] = []  # every file's problems with its front matter; see post_problems
        self.fresh: dict[str, bytes] = {}  # pickled headers of the files parsed in this run
        self.cached_headers = 0
        self.rendered_now = 0  # bodies rendered in this run (the rest came from the cache)
        self._posts: dict[str, Post] = {}
        self._rendered: dict[str, RenderedPost] = {}
        self._entries: list[Entry] | None = None
        self._by_path: dict[str, Entry] = {}

    @classmethod
    def open(cls, settings: Settings, state_dir: Path | None, workers: int = 1) -> Site:
        files = {f.source: f for f in scan(settings)}
        cache = Cache(state_dir / "cache.sqlite" if state_dir else None, cache_key(settings))
        return cls(settings, cache, files, workers)

    def __enter__(self) -> Site:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cache.close()

    @cached_property
    def scan_digest(self) -> str:
        """Changes whenever any post file is added, removed or touched."""
        listing = [(f.source, f.size, f.mtime_ns) for f in self.files.values()]  # scan() sorts them
        return hashlib.sha256(marshal.dumps(listing)).hexdigest()  # marshal: ten times faster than repr

    def entries(self, progress: Progress | None = None) -> list[Entry]:
        """Every post's selection entry: from the cache when its file is unchanged, else parsed now."""
        if self._entries is not None:
            return self._entries
        cache = self.cache
        known = cache.entries
        stale = [f for f in self.files.values()  # in scan order: sorted
                 if (entry := known.get(f.source)) is None or entry[0] != (f.size, f.mtime_ns)]
        self.cached_headers = len(self.files) - len(stale)
        if progress and len(stale) >= PARALLEL_HEADERS:
            progress("read", 0, len(stale))
        records = map_parallel(_HeaderReader(self.settings), stale, workers=self.workers,
                               min_items=PARALLEL_HEADERS)
        cache.begin()
        cache.put_headers(records)
        self.fresh = {r.source: r.header for r in records}
        cache.forget(set(cache.entries) - set(self.files))
        for source in sorted(cache.problem_sources):
            self.problems.extend(cache.problems(source))
        self._entries = [entry for _, entry in cache.entries.values() if entry is not None]
        self._by_path = {e.path: e for e in self._entries}
        return self._entries

    @property
    def by_path(self) -> dict[str, Entry]:
        """Every post's entry by its permalink path, for translation links."""
        self.entries()
        return self._by_path

    def post(self, source: str) -> Post:
        """The full header of a post, its translation resolved."""
        if source in self._posts:
            return self._posts[source]
        self.entries()
        blob = self.fresh.get(source) or self.cache.header(source, self.files[source].fingerprint)
        post, _ = resolve_translation(pickle.loads(blob), self._by_path, self.settings)  # see post_problems
        self._posts[source] = post
        return post

    def render(self, posts: Iterable[Post]) -> None:
        """Render every post not rendered yet, on all workers; results land in the cache."""
        todo = {p.source: p for p in posts if p.source not in self._rendered}
        missing = [p for p in todo.values() if self.cache.rendered(p.source, self._fp(p)) is None]
        results = map_parallel(_BodyRenderer(self.settings), missing, workers=self.workers,
                               min_items=PARALLEL_RENDERS)
        for post, result in zip(missing, results, strict=True):
            self.cache.put_rendered(post.source, self._fp(post), result)
        self.rendered_now += len(missing)
        for post in todo.values():
            self.rendered(post)

    def rendered(self, post: Post) -> RenderedPost:
        """A post's body as safe HTML: from the cache when its file is unchanged, else rendered now."""
        if post.source in self._rendered:
            return self._rendered[post.source]
        cached = self.cache.rendered(post.source, self._fp(post))
        if cached is None:
            cached = _BodyRenderer(self.settings)(post)
            self.cache.put_rendered(post.source, self._fp(post), cached)
            self.rendered_now += 1
        html, summary, _ = cached  # its problems: see post_problems
        code = self.settings.language(post.language).code
        media = (self._sized(post.image),) if post.image else ()
        rendered = RenderedPost(post, html, summary, code, media)
        self._rendered[post.source] = rendered
        return rendered

    def located(self, problem: Problem) -> Problem:
        """A problem about a post's front matter key, with that key's line (check gives it too)."""
        if problem.line is not None or problem.source not in self.files:
            return problem
        return at_key_line(problem, dict(self.post(problem.source).key_lines))

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
            if problem := translation_problem(entry, translation_target(entry, self.by_path, self.settings)):
                problems.append(self.located(problem))
            problems.extend(self.cache.render_problems(entry.source))
        return problems

    def commit(self) -> None:
        self.cache.commit()

    def _fp(self, post: Post) -> tuple[int, int]:
        return self.files[post.source].fingerprint


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
    """Renders one post's body to (html, summary, problems); picklable, so workers can run it."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def __call__(self, post: Post) -> tuple[str, str, tuple[Problem, ...]]:
        from syndicate.render import render_body  # the Markdown stack loads only when used
        from syndicate.render.jekyll_page import render_context

        settings = self.settings
        try:
            body, body_line, repaired, meta = read_body(settings, post.source)
        except Unreadable as exc:  # changed or deleted since its header was read: publish the header alone
            return "", post.summary or "", (Problem(post.source, str(exc), severity=exc.severity, line=exc.line),)
        ctx = render_context(settings, post, meta, body_line)
        result = render_body(body, ctx)
        return result.html, result.summary, repaired + result.problems
