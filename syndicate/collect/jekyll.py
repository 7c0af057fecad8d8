"""Reading a Jekyll site: find every `_posts/` file, parse its front matter, read bodies on demand."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import frontmatter
import yaml

from syndicate.collect.fields import BadPost, coerce_post
from syndicate.config import Settings
from syndicate.model import Post, Problem
from syndicate.text import xml_safe

MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown", ".mkdown", ".mkdn", ".mkd"})


@dataclass(frozen=True, slots=True)
class SourceFile:
    source: str  # relative to the site root, posix separators
    size: int
    mtime_ns: int
    folder_categories: tuple[str, ...]

    @property
    def fingerprint(self) -> tuple[int, int]:
        return (self.size, self.mtime_ns)


@dataclass(frozen=True, slots=True)
class Header:
    """What one file yields: a Post (None when unpublished or unreadable) and its problems."""

    post: Post | None
    problems: tuple[Problem, ...] = ()


def scan(settings: Settings) -> list[SourceFile]:
    """Every Markdown file in every `_posts/` folder, sorted; hidden and excluded folders skipped."""
    root = settings.site_dir
    root_real = os.path.realpath(root)
    excluded = set(settings.exclude)
    found: list[SourceFile] = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        parts = () if rel_dir == "." else tuple(Path(rel_dir).parts)
        in_posts = "_posts" in parts
        # Jekyll reads `_posts` anywhere, but never hidden, underscored or excluded folders.
        dirnames[:] = sorted(
            d for d in dirnames
            if d == "_posts" or (not d.startswith((".", "_")) and d not in excluded)
            or (in_posts and not d.startswith("."))
        )
        if not in_posts:
            continue
        folder_categories = parts[: parts.index("_posts")]
        for name in sorted(filenames):
            if name.startswith(".") or os.path.splitext(name)[1].lower() not in MARKDOWN_EXTENSIONS:
                continue
            full = os.path.join(dirpath, name)
            if os.path.islink(full) and not _inside(os.path.realpath(full), root_real):
                continue  # a link out of the site is not the site's content
            try:
                st = os.stat(full)
            except OSError:
                continue
            found.append(SourceFile(Path(rel_dir, name).as_posix(), st.st_size, st.st_mtime_ns, folder_categories))
    return found


def read_header(file: SourceFile, settings: Settings) -> Header:
    """Parse one post's front matter into a Post; every failure becomes a Problem."""
    try:
        meta, _ = _parse(settings.site_dir / file.source)
        post, problems = coerce_post(meta, source=file.source, folder_categories=file.folder_categories,
                                     settings=settings)
    except BadPost as exc:
        return Header(None, (exc.problem,))
    except _Unreadable as exc:
        return Header(None, (Problem(file.source, str(exc), line=exc.line),))
    return Header(post, tuple(problems))


def read_body(settings: Settings, source: str) -> str:
    """The Markdown body of a post, for rendering; raises _Unreadable."""
    return _parse(settings.site_dir / source)[1]


class _Unreadable(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _parse(path: Path) -> tuple[dict, str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _Unreadable(f"cannot read: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"not UTF-8 (byte {exc.start}): re-save the file as UTF-8") from exc
    # Control characters can be neither parsed as YAML nor published as XML: drop them up front.
    text = xml_safe(text.replace("\r\n", "\n"))
    if not text.startswith("---"):
        raise _Unreadable("no front matter: Jekyll publishes only files that start with ---")
    try:
        meta, body = frontmatter.parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise _Unreadable(f"front matter is not valid YAML: {reason}", mark.line + 2 if mark else None) from exc  # +1 for 1-based, +1 for the opening ---
    if not isinstance(meta, dict):
        raise _Unreadable("front matter is not a mapping of keys to values")
    return meta, body


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)
