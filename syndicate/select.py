"""Which feeds exist and which posts each one carries. Pure: posts + settings + now in, values out."""

from __future__ import annotations

import hashlib
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from itertools import islice
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import regex

from syndicate.config import Settings
from syndicate.model import Post, Problem, Translation

_NOT_SLUG = regex.compile(r"[^\p{L}\p{M}\p{N}]+")
# A file system allows 255 bytes per name; a folder made from a category or a language keeps
# well under that, so OUT/<language>/<category>/feed-archive-N.json stays a sane length too.
MAX_SLUG_BYTES = 120


class Entry(NamedTuple):
    """What selection needs of a post: small, plain, and cheap to cache for every post."""

    source: str
    timestamp: float  # publication time, seconds since the epoch
    language: str
    categories: tuple[str, ...]  # as written, folder categories left out
    url: str
    path: str
    title: str
    translation_ref: str | None = None  # the raw `translation:` value

    @classmethod
    def of(cls, post: Post) -> Entry:
        return cls(post.source, post.date.timestamp(), post.language, post.categories, post.url,
                   post.path, post.title, post.translation_ref)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    folder: str  # output folder relative to OUT: "", "english" or "english/politician"
    title: str
    description: str
    home_url: str  # the web page the feed stands for
    language: str | None = None  # language key; None for the whole site
    language_code: str | None = None
    direction: str = "ltr"
    category: str | None = None  # casefolded category name
    label: str | None = None  # the category as readers see it (Settings.category_label)
    limit: int = 20

    def matches(self, post: Entry) -> bool:
        if self.language is not None and post.language != self.language:
            return False
        return self.category is None or self.category in _folded(post.categories)


def slugify(name: str) -> str:
    """A folder name for a category: lower case letters, marks and digits of any script, hyphens,
    at most MAX_SLUG_BYTES in UTF-8. A longer name is cut at a character boundary and ends in a
    hash of the whole name, so it stays unique and is the same on every build."""
    slug = _full_slug(name)
    raw = slug.encode()
    if len(raw) <= MAX_SLUG_BYTES:
        return slug
    suffix = "-" + hashlib.sha1(raw).hexdigest()[:8]
    head, size = [], 0
    for grapheme in regex.findall(r"\X", slug):  # never split a letter from its marks
        size += len(grapheme.encode())
        if size > MAX_SLUG_BYTES - len(suffix):
            break
        head.append(grapheme)
    return "".join(head).rstrip("-") + suffix


def _full_slug(name: str) -> str:
    return _NOT_SLUG.sub("-", name.casefold()).strip("-")


def published(entries: list[Entry], settings: Settings, now: datetime) -> list[Entry]:
    """Posts a reader may see at `now`: not future-dated, not in an excluded category. Newest first."""
    excluded = set(settings.excluded_categories)
    cutoff = now.timestamp()
    if excluded:
        visible = [e for e in entries if e.timestamp <= cutoff and not excluded.intersection(_folded(e.categories))]
    else:
        visible = [e for e in entries if e.timestamp <= cutoff]
    if len({e.url for e in visible}) < len(visible):
        visible = _first_per_url(visible)
    return sorted(visible, key=sort_key)


def duplicate_urls(posts: list[Entry] | list[Post]) -> list[Problem]:
    """Every post after the first (by file name) whose URL another post already has."""
    first: dict[str, str] = {}
    problems = []
    for post in sorted(posts, key=lambda p: p.source):
        if post.url in first:
            problems.append(Problem(post.source, f"has the same URL as {first[post.url]}: {post.url}",
                                    field="permalink"))
        first.setdefault(post.url, post.source)
    return problems


def _first_per_url(entries: list[Entry]) -> list[Entry]:
    """One post per URL, the first by file name, as feed ids must be unique; the build reports
    the others as errors (same folder, date and slug: `x.md` beside `x.markdown`)."""
    first: dict[str, Entry] = {}
    for entry in sorted(entries, key=lambda e: e.source):
        first.setdefault(entry.url, entry)
    return list(first.values())


def next_publication(entries: list[Entry], now: datetime) -> float | None:
    """When the next future-dated post becomes visible: until then, unchanged input means unchanged output."""
    cutoff = now.timestamp()
    return min((e.timestamp for e in entries if e.timestamp > cutoff), default=None)


def sort_key(entry: Entry) -> tuple:
    """Newest first; the URL breaks ties so the order never depends on file system order."""
    return (-entry.timestamp, entry.url)


def feed_specs(posts: list[Entry], settings: Settings,
               category_pages: dict[tuple[str, str], str] | None = None) -> tuple[list[FeedSpec], list[Problem]]:
    """The site feed, one per language, one per language and category. `posts` are published ones.

    `category_pages` maps (language key, casefolded category) to the path of the site's own page
    for that category (collect/category_pages.py): a category feed's home link points there.
    """
    names: dict[str, dict[str, str]] = {}  # language -> casefolded category -> first spelling seen
    for post in posts:
        spellings = names.setdefault(post.language, {})
        for cat in post.categories:
            spellings.setdefault(cat.casefold(), cat)

    def carrying(language: str, folded: str) -> list[Entry]:
        return [p for p in posts if p.language == language and folded in _folded(p.categories)]

    return specs_for(names, settings, carrying, category_pages)


def specs_for(names: dict[str, dict[str, str]], settings: Settings,
              carrying: Callable[[str, str], list[Entry]],
              category_pages: dict[tuple[str, str], str] | None = None) -> tuple[list[FeedSpec], list[Problem]]:
    """The feeds of a site whose published posts have these languages and categories (for each
    language: casefolded category -> its spelling in the newest post that has it); `carrying`
    gives the published posts of a language and casefolded category (for rare warnings)."""
    pages = category_pages or {}
    limit = settings.item_limit
    specs = [FeedSpec("", settings.title, settings.description, settings.base_url + "/", limit=limit)]
    problems: list[Problem] = []
    wanted = set(settings.feed_categories)
    for key in sorted(names):
        lang = settings.language(key)
        lang_folder = slugify(key) or "language"
        common = dict(language=key, language_code=lang.code, direction=lang.direction, limit=limit)
        specs.append(FeedSpec(lang_folder, lang.title, lang.description, f"{settings.base_url}/{lang_folder}/", **common))
        spellings = names[key]
        taken: dict[str, str] = {}
        for folded in sorted(spellings):
            if wanted and folded not in wanted:
                continue
            slug = slugify(folded) or "category"
            shortened = slug != (_full_slug(folded) or "category")  # cut to fit, not renamed below
            if slug in taken or slug in ("feed", "atom"):
                # Two names, one folder: keep both feeds apart rather than merge them silently.
                clash = taken.get(slug, slug)
                slug = f"{slug}-{hashlib.sha1(folded.encode()).hexdigest()[:6]}"
                problems.append(Problem(f"{lang_folder}/", f"categories {clash!r} and {spellings[folded]!r} share a "
                                        f"folder name; {spellings[folded]!r} is published as {slug!r}",
                                        field="categories", severity="warning"))
            if shortened:
                problems.append(_shortened(spellings[folded], f"{lang_folder}/{slug}", carrying(key, folded)))
            taken.setdefault(slug, spellings[folded])
            label = settings.category_label(key, spellings[folded])
            page = pages.get((key, folded))
            specs.append(FeedSpec(
                f"{lang_folder}/{slug}", f"{lang.title} — {label}", lang.description,
                settings.base_url + page if page else f"{settings.base_url}/{lang_folder}/",
                category=folded, label=label, **common,
            ))
    return specs, problems


def _shortened(category: str, folder: str, posts: list[Entry]) -> Problem:
    """The warning for a category too long to be a folder name, on the first post that uses it
    (`posts`: the published posts of its language that carry it)."""
    source = min(p.source for p in posts if category in p.categories)
    shown = category if len(category) <= 40 else category[:40] + "…"
    return Problem(source, f"category {shown!r} ({len(category.encode())} bytes) is too long for a folder "
                           f"name; its feeds are published in {folder + '/'!r}", field="categories", severity="warning")


def select_all(posts: list[Entry], specs: list[FeedSpec]) -> dict[FeedSpec, list[Entry]]:
    """Every feed's newest `limit` posts, from posts already sorted by sort_key, in one pass:
    a site has hundreds of category feeds, and a rare category would otherwise scan every post."""
    # Keyed by (language, category) tuples: hashing a FeedSpec hashes all its fields.
    lists: dict[tuple, list[Entry]] = {}
    limits: dict[tuple, int] = {}
    for spec in specs:
        key = (spec.language, spec.category)
        lists[key], limits[key] = [], spec.limit
    site_feed = lists.get((None, None))
    for post in posts:
        if site_feed is not None and len(site_feed) < limits[(None, None)]:
            site_feed.append(post)
        language = post.language
        for key in ((language, None), *((language, c) for c in dict.fromkeys(c.casefold() for c in post.categories))):
            chosen = lists.get(key)
            if chosen is not None and len(chosen) < limits[key]:
                chosen.append(post)
    return {spec: lists[(spec.language, spec.category)] for spec in specs}


class Timeline:
    """Every entry not in an excluded category, under each feed's key (site, language, language and
    category), newest first by `sort_key`, kept in order as entries come and go. What a feed
    carries at any moment is then the head of one list: after a saved post the daemon selects
    every feed in O(feeds x limit + changed x log(posts)), where `select_all` is O(posts).

    It does not pick one post per URL: `Site` falls back to `published` when URLs are shared.
    """

    def __init__(self, entries: Iterable[Entry], settings: Settings):
        self._excluded = frozenset(settings.excluded_categories)
        self._lists: dict[tuple[str | None, str | None], list[Entry]] = {}
        for entry in sorted(entries, key=sort_key):  # appends in order: no insertion cost
            for key in self._keys(entry):
                self._lists.setdefault(key, []).append(entry)

    def _keys(self, entry: Entry) -> tuple[tuple[str | None, str | None], ...]:
        folded = dict.fromkeys(c.casefold() for c in entry.categories)
        if self._excluded and self._excluded.intersection(folded):
            return ()
        return ((None, None), (entry.language, None), *((entry.language, c) for c in folded))

    def add(self, entry: Entry) -> None:
        for key in self._keys(entry):
            insort(self._lists.setdefault(key, []), entry, key=sort_key)

    def remove(self, entry: Entry) -> None:
        for key in self._keys(entry):
            found = self._lists[key]
            at = bisect_left(found, sort_key(entry), key=sort_key)
            while found[at] != entry:  # same time and URL as another entry: look on
                at += 1
            del found[at]

    def visible(self, key: tuple[str | None, str | None], now: datetime) -> list[Entry]:
        """The published entries under `key` at `now`, newest first."""
        found = self._lists.get(key, ())
        return found[self._first_visible(found, now):]

    def newest(self, key: tuple[str | None, str | None], now: datetime) -> Iterator[Entry]:
        """The published entries under `key` at `now`, newest first, without copying them."""
        found = self._lists.get(key, ())
        return islice(found, self._first_visible(found, now), None)

    def head(self, key: tuple[str | None, str | None], now: datetime, limit: int) -> list[Entry]:
        found = self._lists.get(key, ())
        start = self._first_visible(found, now)
        return found[start:start + limit]

    def count(self, language: str | None, now: datetime) -> int:
        found = self._lists.get((language, None), ())
        return len(found) - self._first_visible(found, now)

    def next_publication(self, now: datetime) -> float | None:
        """As `next_publication`: the oldest of the future-dated entries is just above the first published."""
        found = self._lists.get((None, None), ())
        start = self._first_visible(found, now)
        return found[start - 1].timestamp if start else None

    def names(self, now: datetime) -> dict[str, dict[str, str]]:
        """What `specs_for` needs, as `feed_specs` finds it: each language with a published post,
        and its categories spelt as in the newest published post that has each."""
        names: dict[str, dict[str, str]] = {}
        for (language, category), found in self._lists.items():
            start = self._first_visible(found, now)
            if language is None or start == len(found):
                continue
            spellings = names.setdefault(language, {})
            if category is not None:
                spellings[category] = next(c for c in found[start].categories if c.casefold() == category)
        return names

    def select(self, specs: list[FeedSpec], now: datetime) -> dict[FeedSpec, list[Entry]]:
        """The same as `select_all(published(...), specs)` when no two entries share a URL."""
        return {spec: self.head((spec.language, spec.category), now, spec.limit) for spec in specs}

    @staticmethod
    def _first_visible(found: list[Entry] | tuple, now: datetime) -> int:
        # sort_key is (-timestamp, url): the first key at or after (-now, "") is the newest
        # entry dated at or before now.
        return bisect_left(found, (-now.timestamp(), ""), key=sort_key)


def resolve_translation(post: Post, by_path: dict[str, Entry], settings: Settings) -> tuple[Post, Problem | None]:
    """The post with its `translation:` value turned into a link to the other-language post."""
    if not post.translation_ref:
        return post, None
    entry = Entry.of(post)
    target = translation_target(entry, by_path, settings)
    if target is None:
        return post, translation_problem(entry, target)
    lang = settings.language(target.language)
    return replace(post, translation=Translation(target.url, target.language, lang.code, target.title)), None


def translation_problem(entry: Entry, target: Entry | None) -> Problem | None:
    """The error for a `translation:` value that names no post (`target` is what it names): the
    feeds drop the link, but the site's own page links to nothing."""
    if not entry.translation_ref or target is not None:
        return None
    return Problem(entry.source, f"points to no post: {entry.translation_ref!r}", field="translation")


def translation_target(entry: Entry, by_path: dict[str, Entry], settings: Settings) -> Entry | None:
    """The post a `translation:` value ('/khmer/x.html', 'x.html' or an absolute URL) names."""
    ref = entry.translation_ref
    if not ref:
        return None
    if ref.startswith("/") and not ref.startswith("//") and "/." not in ref:
        path = ref.partition("#")[0].partition("?")[0]  # root-relative: nothing to resolve (most posts)
    else:
        path = urlsplit(urljoin(entry.url, ref)).path
    base_path = _base_path(settings.base_url)
    if base_path and path.startswith(base_path + "/"):
        path = path[len(base_path):]
    target = by_path.get(path)
    return target if target is not None and target.source != entry.source else None


@cache
def _base_path(base_url: str) -> str:
    """'/cambodia-election-2018' for a site published below its host's root, else ''."""
    return urlsplit(base_url).path.rstrip("/")


def _folded(categories: tuple[str, ...]) -> set[str]:
    return {c.casefold() for c in categories}
