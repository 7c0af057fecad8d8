"""Write RSS 2.0, Atom 1.0 and JSON Feed 1.1 files for a site, each language and each category.

example:
  syndicate build examples/site --out out
  syndicate build ../shared/sample-site --out /tmp/out --config examples/sample-site.toml --strict
"""

from __future__ import annotations

import argparse

from syndicate.commands.common import (
    add_output_options,
    add_site_options,
    add_verbosity_options,
    announce_state,
    now_from,
    print_problems,
    settings_from,
    setup_logging,
    state_dir,
)
from syndicate.commands.progress import progress_bar
from syndicate.pipeline.build import build
from syndicate.system.lock import state_lock
from syndicate.system.workers import default_workers
from syndicate.text import counted


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_site_options(p)
    add_output_options(p)
    add_verbosity_options(p)
    p.add_argument("--strict", action="store_true",
                   help="exit 1 on any error, as `syndicate check` does (the build publishes what it can either way)")
    p.add_argument("--no-ping", action="store_true",
                   help="do not tell the WebSub hubs ([feeds] hub) which feeds changed (docs/subscribers.md)")


def run(args: argparse.Namespace) -> int:
    setup_logging(args)
    settings = settings_from(args)
    if settings is None:
        return 2
    announce_state(args)
    with state_lock(state_dir(args)), progress_bar(enabled=not args.quiet) as progress:
        report = build(settings, args.out, now=now_from(args), state_dir=state_dir(args), progress=progress,
                       workers=default_workers())
    print_problems(report.problems, args.quiet, args.verbose)
    if settings.hubs and report.files_written and not args.no_ping:
        from syndicate.subscribers.websub import notify_hubs  # urllib's HTTP stack loads only when there is news

        announced, ping_problems = notify_hubs(settings, report)
        print_problems(ping_problems, args.quiet)
        if announced and not args.quiet:
            print(f"told {len(settings.hubs)} WebSub hub(s) about {announced} changed feeds")
    if args.verbose:
        for rel in report.files_written:
            print(f"wrote {args.out / rel}")
    if not args.quiet and report.extra.get("nothing_changed"):
        print(f"{report.posts_cached} posts, nothing changed since the last build; "
              f"{report.files_unchanged} files unchanged; {report.seconds:.2f}s")
    elif not args.quiet:
        print(f"{report.posts_read + report.posts_cached} posts ({report.posts_cached} from cache, "
              f"{report.posts_read} read), {report.posts_rendered} rendered, {report.posts_published} published; "
              f"{len(report.files_written)} files written, {report.files_unchanged} unchanged; "
              f"{counted(len(report.errors), 'error')}, {counted(len(report.problems) - len(report.errors), 'warning')}; "
              f"{report.seconds:.2f}s")
    return 1 if args.strict and report.errors else 0
