"""The typed model every stage passes along. Frozen values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one input file; gathered into the report, never raised."""

    source: str  # path relative to the site root, or a config file name
    message: str
    field: str | None = None
    severity: Severity = "error"
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {what}"


@dataclass(frozen=True, slots=True)
class Language:
    key: str  # the site's own name, used in paths: "english"
    code: str  # ISO 639-1: "en"
    title: str
    description: str
    direction: Literal["ltr", "rtl"] = "ltr"


@dataclass(frozen=True, slots=True)
class Media:
    url: str  # absolute
    mime_type: str | None = None
    caption: str | None = None
    credit: str | None = None
    thumbnail: str | None = None  # absolute; defaults to url where a reader needs one
    link: str | None = None  # where the media leads (e.g. the YouTube watch page)
    length: int | None = None  # bytes, when the file is the site's own (RSS <enclosure> wants it)


@dataclass(frozen=True, slots=True)
class Translation:
    url: str  # absolute
    language: str  # language key
    code: str  # ISO 639-1
    title: str | None = None


@dataclass(frozen=True, slots=True)
class BackgroundImage:
    """A spacer image that a page's CSS covers with a photo named in the front matter
    (`[render.background_image]`, docs/config.md)."""

    field: str  # the front-matter key holding the photo, e.g. "window_image"
    spacers: tuple[str, ...]  # glob patterns for the spacer's URL path, e.g. "/img/rectangle__*"
    base: str = "/"  # where a bare file name in the field lives, e.g. "/img/"


@dataclass(frozen=True, slots=True)
class Post:
    """A post's front matter, coerced. The body stays on disk until a feed needs it."""

    source: str  # path relative to the site root, posix separators
    language: str  # language key
    slug: str
    title: str
    date: datetime  # aware
    url: str  # absolute canonical permalink; also the stable id
    path: str  # the permalink path, e.g. /english/profile/politician/x.html
    categories: tuple[str, ...] = ()  # front matter categories, without the folder ones
    folder_categories: tuple[str, ...] = ()  # categories from the folders above _posts
    tags: tuple[str, ...] = ()
    updated: datetime | None = None
    summary: str | None = None
    authors: tuple[str, ...] = ()
    dateline: str | None = None
    image: Media | None = None
    youtube: str | None = None
    translation_ref: str | None = None  # the raw `translation:` value
    translation: Translation | None = None
    extra: tuple[tuple[str, str], ...] = ()  # other scalar front matter, for templates
    # Lines of the front matter keys that rules needing every post report on (translation,
    # permalink), so the build names the line as `check` does.
    key_lines: tuple[tuple[str, int], ...] = ()

    @property
    def id(self) -> str:
        return self.url


@dataclass(frozen=True, slots=True)
class RenderedPost:
    """A post with its body rendered to safe, absolute HTML."""

    post: Post
    html: str
    summary: str  # plain text
    language_code: str
    media: tuple[Media, ...] = ()  # image (or video thumbnail) first


@dataclass(frozen=True, slots=True)
class BuildReport:
    posts_read: int = 0
    posts_cached: int = 0
    posts_rendered: int = 0
    posts_published: int = 0
    files_written: tuple[str, ...] = ()
    files_unchanged: int = 0
    problems: tuple[Problem, ...] = ()
    seconds: float = 0.0
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")
