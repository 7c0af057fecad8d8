"""`site.posts` for a body's Liquid, as Jekyll fills it: every post published by the build's time,
newest first, each as its own `page.*` (front matter plus url, date, categories…).

A body whose includes read it depends on every other post: its rendering is cached with the
list's digest, and rendered again when the list changes (site.py). Bodies that never read it are
rendered without it: a worker that meets `site.posts` unprovided raises PostListNeeded, and the
body is rendered again with the list.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from syndicate.model import Post
from syndicate.render.jekyll_page import page_variables

# Jekyll's variables that are made from the post list (SiteDrop): reading any is reading it.
POST_LIST_KEYS = frozenset({"posts", "categories", "tags"})


class PostListNeeded(Exception):
    """The body reads `site.posts` and was rendered without it. Not a LiquidError: it must
    leave python-liquid and the include tag untouched."""


@dataclass(frozen=True, slots=True)
class PostList:
    posts: tuple[Mapping[str, Any], ...]  # newest first
    digest: str  # of everything Liquid can read in it


def post_list(pages: Iterable[tuple[Post, Mapping[str, Any]]]) -> PostList:
    """The list from each post and its front matter. Jekyll orders by date, then by path
    (Document#<=>), and `site.posts` is that order reversed."""
    ordered = sorted(pages, key=lambda page: (page[0].date, page[0].source), reverse=True)
    posts = tuple(page_variables(post, meta) for post, meta in ordered)
    return PostList(posts, _digest(posts))


def _digest(posts: Sequence[Mapping[str, Any]]) -> str:
    # Front matter order comes from the file, so the dump is stable; keys JSON cannot take
    # (a date as a key) fall back to repr, which is stable too.
    try:
        text = json.dumps(posts, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(posts)
    return hashlib.sha256(text.encode()).hexdigest()


class SiteVariables(Mapping):
    """`site.*`: the site's settings, and the post list made on demand. `read` holds the list's
    digest once Liquid has read it; without a list, reading it raises PostListNeeded."""

    def __init__(self, site: Mapping[str, Any], posts: PostList | None):
        self._site = site
        self._posts = posts
        self.read: str | None = None

    def __getitem__(self, key: str) -> Any:
        if key not in POST_LIST_KEYS:
            return self._site[key]
        if self._posts is None:
            raise PostListNeeded(key)
        self.read = self._posts.digest
        if key == "posts":
            return list(self._posts.posts)
        return _grouped(self._posts.posts, key)

    def __iter__(self) -> Iterator[str]:
        yield from self._site
        yield from (key for key in sorted(POST_LIST_KEYS) if key not in self._site)

    def __len__(self) -> int:
        return len(self._site) + len(POST_LIST_KEYS - set(self._site))


def _grouped(posts: Sequence[Mapping[str, Any]], key: str) -> dict[str, list[Mapping[str, Any]]]:
    """`site.categories` or `site.tags`: each name and its posts, newest first."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for post in posts:
        for name in post.get(key) or ():
            groups.setdefault(str(name), []).append(post)
    return groups
