"""The site's own pages for its categories: `english/hun-sen/index.md` with `category: hun-sen`.

A category feed's home link points at such a page when the site has one. Only folder index
pages are read (a category page is a folder's front page in Jekyll sites), and only their
front matter; a page that cannot be read is simply not a category page.
"""

from __future__ import annotations

import os
from pathlib import PurePosixPath

from syndicate.collect.fields import language_key
from syndicate.config import Settings
from syndicate.front_matter import YamlProblem, load_yaml, split_front_matter

INDEX_NAMES = ("index.md", "index.markdown", "index.html")
MAX_DEPTH = 4  # english/profile/politician/index.html is three folders down
MAX_PAGE_BYTES = 65_536  # front matter sits at the top; a page larger than this is not read whole


def category_pages(settings: Settings) -> dict[tuple[str, str], str]:
    """(language key, casefolded category) -> the page's URL path from the site root ("/english/hun-sen/")."""
    found: dict[tuple[str, str], str] = {}
    root = os.fspath(settings.site_dir)
    excluded = frozenset(settings.exclude)
    for rel in sorted(_index_files(root, "", excluded, 0)):
        meta = _front_matter(os.path.join(root, rel))
        category = meta.get("category") or meta.get("categories")
        if isinstance(category, list) and len(category) == 1:
            category = category[0]
        if not isinstance(category, str | int) or isinstance(category, bool) or not str(category).strip():
            continue
        folder = PurePosixPath(rel).parent
        language = language_key(str(meta.get("language") or folder.parts[0]), settings)
        found.setdefault((language, str(category).strip().casefold()), _url_path(meta.get("permalink"), folder))
    return found


def _index_files(path: str, rel: str, excluded: frozenset[str], depth: int) -> list[str]:
    """Index pages below `path`, not in hidden, underscored or excluded folders (as Jekyll skips them)."""
    try:
        entries = list(os.scandir(path))
    except OSError:
        return []
    found = []
    for entry in entries:
        name = entry.name
        if entry.is_dir(follow_symlinks=False):
            if depth < MAX_DEPTH and not name.startswith((".", "_")) and name not in excluded:
                found += _index_files(entry.path, f"{rel}{name}/", excluded, depth + 1)
        elif rel and name in INDEX_NAMES and entry.is_file(follow_symlinks=False):
            found.append(rel + name)
    return found


def _front_matter(path: str) -> dict:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read(MAX_PAGE_BYTES)
        parts = split_front_matter(text)
        meta = load_yaml(parts[0])[0] if parts else None
    except (OSError, UnicodeDecodeError, YamlProblem):
        return {}
    return meta if isinstance(meta, dict) else {}


def _url_path(permalink: object, folder: PurePosixPath) -> str:
    """Where Jekyll publishes the page: its `permalink`, else its folder."""
    if isinstance(permalink, str) and permalink.startswith("/") and not permalink.startswith("//"):
        return permalink
    return f"/{folder.as_posix()}/"
