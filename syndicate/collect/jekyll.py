"""Reading a Jekyll site: find every `_posts/` file, parse its front matter, read bodies on demand.

Nothing in `_posts/` is trusted: links out of the site are not followed, files over the size
limit are not read, bytes that are not UTF-8 or not allowed in XML never reach a feed, and
YAML is loaded with a bound on alias expansion. Each refusal is a Problem naming the file.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from syndicate.collect.fields import BadPost, coerce_post
from syndicate.config import Settings
from syndicate.front_matter import YamlProblem, load_yaml, split_front_matter
from syndicate.model import Post, Problem, Severity

# Keys that rules over every post (a translation to no post, two posts on one URL) report on.
SITE_RULE_KEYS = ("translation", "permalink")
MARKDOWN_EXTENSIONS = (".md", ".markdown", ".mkdown", ".mkdn", ".mkd")
# C0 and C1 controls (tab, newline and return aside) and the two non-characters: YAML refuses
# them in front matter, XML cannot carry them, and in news copy they are always paste debris.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


class SourceFile(NamedTuple):
    """One file in a `_posts/` folder, as the scan found it (a tuple: scans list every post on every build)."""

    source: str  # relative to the site root, posix separators
    size: int
    mtime_ns: int
    folder_categories: tuple[str, ...]
    refused: str | None = None  # why the file is not read at all (reported as a warning)

    @property
    def fingerprint(self) -> tuple[int, int]:
        return (self.size, self.mtime_ns)


@dataclass(frozen=True, slots=True)
class Header:
    """What one file yields: a Post (None when unpublished or unreadable) and its problems."""

    post: Post | None
    problems: tuple[Problem, ...] = ()


class Document(NamedTuple):
    """A whole post file: its header, and its body (None when the file could not be read)."""

    header: Header
    body: str | None = None
    body_line: int = 1  # the line of the file the body starts on
    key_lines: dict[str, int] | None = None  # top-level front matter key -> its line
    meta: dict[str, Any] | None = None  # the front matter as read, for the body's Liquid (`page.*`)


class _Parsed(NamedTuple):
    meta: dict[str, Any]
    key_lines: dict[str, int]  # top-level front matter key -> line in the file
    body: str
    body_line: int
    problems: tuple[Problem, ...]  # what was repaired on the way


class Unreadable(Exception):
    """A file that cannot be read as a post (for read_body: one that changed since its header)."""

    def __init__(self, message: str, line: int | None = None, severity: Severity = "error"):
        super().__init__(message)
        self.line = line
        self.severity = severity


def scan(settings: Settings) -> list[SourceFile]:
    """Every Markdown file in every `_posts/` folder, sorted; hidden and excluded folders skipped.

    This runs on every build, even one with nothing to do, so it sticks to os.scandir and plain
    strings: at 10,000 posts, pathlib and dataclass copies cost more than the system calls.
    """
    root = os.fspath(settings.site_dir)
    root_real = os.path.realpath(root)
    found: list[SourceFile] = []
    _scan_folder(root, "", (), None, frozenset(settings.exclude), root_real, settings.max_post_bytes, found)
    found.sort(key=lambda f: f.source)
    return _within_count(found, settings.max_posts)


def _scan_folder(path: str, rel: str, parts: tuple[str, ...], categories: tuple[str, ...] | None,
                 excluded: frozenset[str], root_real: str, max_bytes: int, found: list[SourceFile]) -> None:
    """`categories` is None above any `_posts/`, else the folder names above it (Jekyll's categories)."""
    try:
        entries = list(os.scandir(path))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        # A linked folder is never entered, so a linked `_posts/` is not followed either.
        if entry.is_dir(follow_symlinks=False):
            # Jekyll reads `_posts` anywhere, but never underscored or excluded folders outside it.
            if categories is None and name != "_posts" and (name.startswith("_") or name in excluded):
                continue
            below = categories if categories is not None else (parts if name == "_posts" else None)
            _scan_folder(entry.path, f"{rel}{name}/", (*parts, name), below, excluded, root_real, max_bytes,
                         found)
        elif categories is not None and name.lower().endswith(MARKDOWN_EXTENSIONS):
            # Like Jekyll: only Markdown is a post here; other files in `_posts/` are not content.
            file = _source_file(entry, rel + name, categories, root_real, max_bytes)
            if file is not None:
                found.append(file)


def source_file_at(settings: Settings, source: str) -> SourceFile | None:
    """What `scan` would list for one path relative to the site (None: not a post, or gone), for
    a long-lived process told which files changed: the same rules, without listing every folder."""
    parts = source.split("/")
    if "_posts" not in parts[:-1] or any(part.startswith(".") or part == ".." for part in parts):
        return None
    first = parts.index("_posts")
    if any(part.startswith("_") or part in settings.exclude for part in parts[:first]):
        return None
    if not parts[-1].lower().endswith(MARKDOWN_EXTENSIONS):
        return None
    root = os.fspath(settings.site_dir)
    folder = root
    for part in parts[:-1]:  # scan never enters a linked folder
        folder = os.path.join(folder, part)
        if os.path.islink(folder) or not os.path.isdir(folder):
            return None
    path = os.path.join(root, source)
    if os.path.isdir(path) and not os.path.islink(path):
        return None
    return _source_file(_PathEntry(path), source, tuple(parts[:first]), os.path.realpath(root),
                        settings.max_post_bytes)


class _PathEntry(NamedTuple):
    """The part of os.DirEntry that _source_file uses, for a path named from outside a scan."""

    path: str

    def is_symlink(self) -> bool:
        return os.path.islink(self.path)

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        return os.stat(self.path, follow_symlinks=follow_symlinks)


def _source_file(entry: os.DirEntry | _PathEntry, source: str, folder_categories: tuple[str, ...], root_real: str,
                 max_bytes: int) -> SourceFile | None:
    """What scan lists for one file, with the reason it will not be read if there is one."""
    try:
        if entry.is_symlink() and not _inside(os.path.realpath(entry.path), root_real):
            link = entry.stat(follow_symlinks=False)
            return SourceFile(source, link.st_size, link.st_mtime_ns, folder_categories,
                              "a symbolic link to outside the site: not followed")
        st = entry.stat()
    except FileNotFoundError:
        return None  # gone since the folder was listed
    except OSError as exc:
        return SourceFile(source, 0, 0, folder_categories, f"cannot read: {exc.strerror}")
    refused = None
    if not stat.S_ISREG(st.st_mode):
        refused = "not a regular file"
    elif st.st_size > max_bytes:
        refused = _too_big(st.st_size, max_bytes)
    return SourceFile(source, st.st_size, st.st_mtime_ns, folder_categories, refused)


def read_header(file: SourceFile, settings: Settings) -> Header:
    """Parse one post's front matter into a Post; every failure becomes a Problem."""
    return read_document(file, settings, body=False).header


def read_document(file: SourceFile, settings: Settings, *, body: bool = True) -> Document:
    """A post's header and (with `body`) its checked body from one read of the file; every
    failure becomes a Problem."""
    if file.refused:
        return Document(Header(None, (Problem(file.source, file.refused, severity="warning"),)))
    try:
        parsed = _parse(settings, file.source, body=body)
    except Unreadable as exc:
        return Document(Header(None, (Problem(file.source, str(exc), severity=exc.severity, line=exc.line),)))
    try:
        post, problems = coerce_post(parsed.meta, source=file.source, folder_categories=file.folder_categories,
                                     settings=settings)
    except BadPost as exc:
        post, problems = None, [exc.problem]
    if post is not None:
        post = replace(post, key_lines=tuple((k, parsed.key_lines[k]) for k in SITE_RULE_KEYS if k in parsed.key_lines))
    located = tuple(at_key_line(p, parsed.key_lines) for p in (*parsed.problems, *problems))
    return Document(Header(post, located), parsed.body, parsed.body_line, parsed.key_lines, parsed.meta)


def read_body(settings: Settings, source: str) -> tuple[str, int, tuple[Problem, ...], dict[str, Any]]:
    """A post's Markdown body, the file line it starts on, what was repaired in it and its
    front matter (for the body's Liquid), for rendering; raises Unreadable when the file went
    bad since its header was read."""
    if settings.includes_dir is None:  # only the site's own templates read `page.*`: no YAML to load
        _, body, body_line, problems = _split(settings, source, body=True)
        meta: dict[str, Any] = {}
    else:
        parsed = _parse(settings, source, body=True)
        body, body_line, problems, meta = parsed.body, parsed.body_line, parsed.problems, parsed.meta
    return body, body_line, tuple(p for p in problems if p.line and p.line >= body_line), meta


def _within_count(files: list[SourceFile], limit: int) -> list[SourceFile]:
    """At most `limit` posts, the newest by file name; the newest left out carries the warning."""
    if len(files) <= limit:
        return files
    newest_first = sorted(files, key=lambda f: (f.source.rsplit("/", 1)[-1], f.source), reverse=True)
    marker = newest_first[limit]._replace(refused=f"not read, nor any older post: the site has more than "
                                                  f"{limit:,} posts (limits.max_posts)")
    kept = set(newest_first[:limit])
    return sorted([f for f in files if f in kept] + [marker], key=lambda f: f.source)


def _parse(settings: Settings, source: str, *, body: bool = False) -> _Parsed:
    """Read, split and load one post file. Only the front matter is checked unless `body`:
    every build reads every header, but only the few posts that land in a feed are rendered."""
    yaml_text, body_text, body_line, problems = _split(settings, source, body=body)
    try:
        meta, key_lines = load_yaml(yaml_text)
    except YamlProblem as exc:
        raise Unreadable(f"front matter {exc}", exc.line + 1 if exc.line else None) from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise Unreadable("front matter is not a mapping of keys to values", 2)
    key_lines = {key: line + 1 for key, line in key_lines.items()}  # the YAML starts on line 2
    return _Parsed(meta, key_lines, body_text, body_line, tuple(problems))


def _split(settings: Settings, source: str, *, body: bool) -> tuple[str, str, int, list[Problem]]:
    """(front matter, body, line the body starts on, what was repaired), the front matter
    (and with `body` the body) rid of control characters."""
    raw = _read_bounded(settings.site_dir, source, settings.max_post_bytes)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 (byte {exc.start}): not published; re-save the file as UTF-8",
                          raw.count(b"\n", 0, exc.start) + 1) from exc
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text or text.isspace():  # not strip(): that copies every file
        raise Unreadable("empty file: nothing to publish", severity="warning")
    parts = split_front_matter(text)
    if parts is None:
        if text.startswith("---"):
            raise Unreadable("front matter is never closed: add a line --- after it", 1)
        raise Unreadable("no front matter: Jekyll publishes only files that start with ---")
    yaml_text, body_text, body_line = parts
    problems: list[Problem] = []
    yaml_text = _without_controls(yaml_text, source, 2, problems)
    if body:
        body_text = _without_controls(body_text, source, body_line, problems)
    return yaml_text, body_text, body_line, problems


def _without_controls(text: str, source: str, first_line: int, problems: list[Problem]) -> str:
    """`text` without control characters (neither YAML nor XML can carry them), with a warning."""
    first = _CONTROL.search(text)
    if first is None:
        return text
    text, removed = _CONTROL.subn("", text)
    problems.append(Problem(source, f"{removed} control character(s) removed: feeds cannot carry them",
                            severity="warning", line=first_line + text.count("\n", 0, first.start())))
    return text


def _read_bounded(site_dir: Path, source: str, max_bytes: int) -> bytes:
    """The file's bytes, refusing links out of the site, non-files and files over the limit."""
    path = os.path.join(site_dir, source)
    # scan never enters linked folders, so only the file itself can be a link out of the site.
    if os.path.islink(path) and not _inside(os.path.realpath(path), os.path.realpath(site_dir)):
        raise Unreadable("a symbolic link to outside the site: not followed", severity="warning")
    try:
        # Non-blocking, so a named pipe put in the folder cannot hang the build.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("not a regular file", severity="warning")
        if info.st_size > max_bytes:
            raise Unreadable(_too_big(info.st_size, max_bytes), severity="warning")
        # Ask for the size the file has, then for whatever it grew by since, up to the limit:
        # read(max_bytes + 1) alone would set aside a buffer of the limit (16 MB) for every file.
        raw = fh.read(info.st_size + 1)
        if len(raw) > info.st_size:
            raw += fh.read(max_bytes + 1 - len(raw))
    if len(raw) > max_bytes:
        raise Unreadable(_too_big(None, max_bytes), severity="warning")
    return raw


def _too_big(size: int | None, limit: int) -> str:
    what = f"{size:,} bytes, " if size is not None else ""
    return f"not read: {what}over the limit of {limit:,} bytes (limits.max_post_bytes)"


def at_key_line(problem: Problem, key_lines: dict[str, int]) -> Problem:
    """The problem with the line of the front matter key it is about, when it has none."""
    if problem.line is None and problem.field in key_lines:
        return replace(problem, line=key_lines[problem.field])
    return problem


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)
