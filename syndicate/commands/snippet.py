"""Print the autodiscovery tags to paste into the site's <head>: one set of <link rel="alternate">
tags (RSS, Atom, JSON Feed) per language, so browsers and readers find the feeds from any page.

example:
  syndicate snippet ../shared/sample-site
  syndicate snippet ../shared/sample-site --language khmer >> _includes/head-khmer.html
  syndicate snippet ../shared/sample-site --config examples/sample-site.toml --language khmer --categories
"""

from __future__ import annotations

import argparse
import sys

from syndicate.collect.category_pages import category_pages
from syndicate.commands.common import add_site_options, now_from, settings_from
from syndicate.emit import FORMATS
from syndicate.emit.pages import link_tags
from syndicate.pipeline.site import Site
from syndicate.select import feed_specs, published


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_site_options(p)
    p.add_argument("--language", metavar="LANG", help="only this language's tags, by its key (e.g. khmer)")
    p.add_argument("--categories", action="store_true",
                   help="also each category feed's tags, for the head of that category's page")


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if settings is None:
        return 2
    with Site.open(settings, None) as site:  # no cache: never contend with a build for its state
        specs, _ = feed_specs(published(site.entries(), settings, now_from(args)), settings, category_pages(settings))
    chosen = [s for s in specs if (s.category is None or args.categories)
              and (args.language is None or s.language == args.language)]
    if args.language is not None and not chosen:
        known = ", ".join(sorted({s.language for s in specs if s.language})) or "none"
        print(f"error: no published posts in language {args.language!r} (languages: {known})", file=sys.stderr)
        return 1
    for number, spec in enumerate(chosen):
        feed_urls = {fmt: _feed_url(settings.feed_base_url, spec.folder, name)
                     for fmt, (name, _, _) in FORMATS.items()}
        if spec.category is not None:
            where = f"{spec.language} pages of category {spec.label}, e.g. {spec.home_url}"
        elif spec.language:
            where = f"{spec.language} pages"
        else:
            where = "pages in every language (the site-wide feed)"
        print(("\n" if number else "") + f"<!-- {where} -->")
        for tag in link_tags(spec, feed_urls):
            print(tag)
    return 0


def _feed_url(base: str, folder: str, name: str) -> str:
    return f"{base}/{folder + '/' if folder else ''}{name}"
