"""Lint every post of a site without writing anything: YAML errors, missing titles and dates,
impossible dates, broken media URLs, translation links to no post, two posts on one URL,
languages with no configuration, and Liquid includes the feeds cannot carry (docs/check.md).

Exit status: 0 when there is no error (warnings never change it), 1 when there is one,
2 when the site or its configuration cannot be read.

example:
  syndicate check ../shared/sample-site
  syndicate check ../shared/sample-site --errors-only
  syndicate check ../shared/sample-site --format json | jq '.[] | select(.field == "translation")'
"""

from __future__ import annotations

import argparse

from syndicate.collect.jekyll import read_document, scan
from syndicate.commands.common import add_site_options, now_from, settings_from
from syndicate.config import Settings
from syndicate.model import Post, Problem
from syndicate.pipeline import check
from syndicate.render.post_list import PostListNeeded, post_list


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_site_options(p)
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text: one problem a line and a count (default); json: an array of objects")
    p.add_argument("--errors-only", action="store_true",
                   help="list errors only, leaving warnings out (the count still gives both)")


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if settings is None:
        return 2
    problems, files = lint(settings, args)
    if args.format == "json":
        shown = [p for p in problems if p.severity == "error"] if args.errors_only else problems
        print(check.as_json(shown), end="")
    else:
        print(check.as_text(problems, files, errors_only=args.errors_only), end="")
    return 1 if any(p.severity == "error" for p in problems) else 0


def lint(settings: Settings, args: argparse.Namespace) -> tuple[list[Problem], int]:
    """Every problem in the site, as check reports them, and how many files were read."""
    files = scan(settings)
    posts: list[Post] = []
    problems: list[Problem] = []
    key_lines: dict[str, dict[str, int]] = {}
    metas: list[dict] = []
    waiting = []  # bodies that read `site.posts`: checked once every post is read
    for file in files:  # one file at a time: a body is dropped as soon as it is checked
        doc = read_document(file, settings)
        problems.extend(doc.header.problems)
        if doc.header.post is not None:
            posts.append(doc.header.post)
            metas.append(doc.meta or {})
            key_lines[file.source] = doc.key_lines or {}
            try:
                problems.extend(check.body_problems(doc.header.post, doc.body or "", doc.body_line, settings, doc.meta))
            except PostListNeeded:
                waiting.append((doc.header.post, doc.body or "", doc.body_line, doc.meta))
    now = now_from(args)
    if waiting:
        listed = post_list((post, meta) for post, meta in zip(posts, metas, strict=True) if post.date <= now)
        for post, body, body_line, meta in waiting:
            problems.extend(check.body_problems(post, body, body_line, settings, meta, listed))
    problems.extend(check.site_problems(posts, settings, now, key_lines))
    return check.for_check(problems), len(files)
