"""The rules of `syndicate check`, over posts already collected. Pure: no I/O, no clock.

A problem's severity is set where it is found, so `check` and `build` grade it alike: what
leaves the site's own pages broken is an error even where the feeds cope (a media URL the build
repairs or drops, a translation link to no post, a language the site has no labels for). What
only the feeds lose, such as an interactive include with no feed equivalent, is a warning.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from syndicate.collect.jekyll import at_key_line
from syndicate.config import Settings
from syndicate.model import Post, Problem
from syndicate.render import render_body, render_context
from syndicate.render.post_list import PostList
from syndicate.select import Entry, duplicate_urls, feed_specs, resolve_translation
from syndicate.text import counted


def body_problems(post: Post, body: str, body_line: int, settings: Settings,
                  meta: dict[str, Any] | None = None, posts: PostList | None = None) -> tuple[Problem, ...]:
    """What rendering the body reports: Liquid includes and tags the feeds cannot carry.
    Raises PostListNeeded for a body that reads `site.posts` when `posts` is None."""
    return render_body(body, render_context(settings, post, meta, body_line, posts)).problems


def site_problems(posts: list[Post], settings: Settings, now: datetime,
                  key_lines: dict[str, dict[str, int]]) -> list[Problem]:
    """Rules that need every post: shared URLs, translation links, languages, category folders."""
    entries = [Entry.of(p) for p in posts]
    problems = duplicate_urls(posts)
    by_path = {e.path: e for e in sorted(entries, key=lambda e: e.source, reverse=True)}
    problems += [problem for post in posts if (problem := resolve_translation(post, by_path, settings)[1])]
    problems += unconfigured_languages(posts, settings)
    problems += [Problem(p.source, f"dated {p.date.isoformat()}, after now: no feed carries it until then",
                         field="date", severity="warning") for p in posts if p.date > now]
    problems += feed_specs(entries, settings)[1]  # category names that share a folder
    return [at_key_line(p, key_lines.get(p.source, {})) for p in problems]


def unconfigured_languages(posts: list[Post], settings: Settings) -> list[Problem]:
    """Posts in a language the site has no titles for. A site that configures no language at
    all is single-language by design and is left alone."""
    if not settings.languages:
        return []
    known = ", ".join(sorted(settings.languages))
    return [Problem(p.source, f"language {p.language!r} has no configuration (configured: {known}); add it "
                              f"under site_info__object in _config.yml or as [languages.{p.language}] in "
                              f"the TOML file", field="language")
            for p in posts if p.language not in settings.languages]


def for_check(problems: list[Problem]) -> list[Problem]:
    """Each problem once, sorted by file then line."""
    return sorted(set(problems), key=lambda p: (p.source, p.line or 0, p.field or "", p.message))


def as_text(problems: list[Problem], posts_checked: int, errors_only: bool = False) -> str:
    """One problem a line (errors only, when asked) and the count of both kinds."""
    errors = sum(p.severity == "error" for p in problems)
    lines = [f"{p.severity}: {p}" for p in problems if p.severity == "error" or not errors_only]
    lines.append(f"{counted(posts_checked, 'file')} checked: {counted(errors, 'error')}, "
                 f"{counted(len(problems) - errors, 'warning')}"
                 + (" (not shown)" if errors_only and len(problems) > errors else ""))
    return "\n".join(lines) + "\n"


def as_json(problems: list[Problem]) -> str:
    rows = [{"file": p.source, "line": p.line, "field": p.field, "severity": p.severity, "message": p.message}
            for p in problems]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
