"""A site as the outputs see it: every post's selection entry, and full posts and rendered bodies
on demand, all backed by the build cache. Feeds and digests both read the site through this."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from syndicate import __version__
from syndicate.cache import Cache
from syndicate.collect.jekyll import Header, SourceFile, read_body, read_header, scan
from syndicate.config import Settings
from syndicate.model import Post, Problem, RenderedPost
from syndicate.render import RenderContext, render_body
from syndicate.select import Entry, resolve_translation
from syndicate.sources import code_fingerprint

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def cache_key(settings: Settings) -> str:
    return f"{__version__}/{settings.fingerprint()}/{code_fingerprint()}"


class Site:
    """Open with `Site.open(...)` as a context manager; `commit()` saves what was learnt."""

    def __init__(self, settings: Settings, cache: Cache, files: dict[str, SourceFile]):
        self.settings = settings
        self.cache = cache
        self.files = files
        self.problems: list[Problem] = []
        self.fresh: dict[str, Header] = {}  # files parsed in this run
        self.cached_headers = 0
        self._posts: dict[str, Post] = {}
        self._rendered: dict[str, RenderedPost] = {}
        self._entries: list[Entry] | None = None
        self._by_path: dict[str, Entry] | None = None

    @classmethod
    def open(cls, settings: Settings, state_dir: Path | None) -> Site:
        files = {f.source: f for f in scan(settings)}
        cache = Cache(state_dir / "cache.sqlite" if state_dir else None, cache_key(settings))
        return cls(settings, cache, files)

    def __enter__(self) -> Site:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cache.close()

    @property
    def scan_digest(self) -> str:
        """Changes whenever any post file is added, removed or touched."""
        listing = sorted((s, f.fingerprint) for s, f in self.files.items())
        return hashlib.sha256(repr(listing).encode()).hexdigest()

    @property
    def rendered_count(self) -> int:
        return len(self._rendered)

    def entries(self, progress: Progress | None = None) -> list[Entry]:
        """Every post's selection entry: from the cache when its file is unchanged, else parsed now."""
        if self._entries is not None:
            return self._entries
        cache, total = self.cache, len(self.files)
        cache.begin()
        for done, (source, file) in enumerate(sorted(self.files.items()), 1):
            known = cache.entries.get(source)
            if known is not None and known[0] == file.fingerprint:
                self.cached_headers += 1
            else:
                header = read_header(file, self.settings)
                self.fresh[source] = header
                entry = Entry.of(header.post) if header.post else None
                cache.put_header(source, file.fingerprint, entry, header.post, header.problems)
            if progress and done % 500 == 0:
                progress("read", done, total)
        cache.forget(set(cache.entries) - set(self.files))
        for source in sorted(cache.problem_sources):
            self.problems.extend(cache.problems(source))
        self._entries = [entry for _, entry in cache.entries.values() if entry is not None]
        self._by_path = {e.path: e for e in self._entries}
        return self._entries

    def post(self, source: str) -> Post:
        """The full header of a post, its translation resolved."""
        if source in self._posts:
            return self._posts[source]
        if self._by_path is None:
            self.entries()
        header = self.fresh.get(source)
        post = header.post if header else self.cache.header(source, self.files[source].fingerprint)[0]
        post, problem = resolve_translation(post, self._by_path, self.settings)
        if problem:
            self.problems.append(problem)
        self._posts[source] = post
        return post

    def rendered(self, post: Post) -> RenderedPost:
        """A post's body as safe HTML: from the cache when its file is unchanged, else rendered now."""
        if post.source in self._rendered:
            return self._rendered[post.source]
        fp = self.files[post.source].fingerprint
        code = self.settings.language(post.language).code
        cached = self.cache.rendered(post.source, fp)
        if cached is None:
            ctx = RenderContext(base_url=self.settings.base_url, page_url=post.url, source=post.source,
                                language_code=code, dateline=post.dateline,
                                summary_limit=self.settings.summary_limit)
            result = render_body(read_body(self.settings, post.source), ctx)
            cached = (result.html, result.summary, result.problems)
            self.cache.put_rendered(post.source, fp, cached)
        html, summary, problems = cached
        self.problems.extend(problems)
        rendered = RenderedPost(post, html, summary, code, (post.image,) if post.image else ())
        self._rendered[post.source] = rendered
        return rendered

    def commit(self) -> None:
        self.cache.commit()
