"""Keep a site's feeds and digests up to date until stopped: the daemon (docs/daemon.md).

Feeds are built at start, rebuilt on their schedule and soon after a post changes; digests go
out at their cron times, and a digest missed while the daemon was down is sent once at start.
Channels come from --feeds DIR, else ./feeds when it exists, else every feed every 15 minutes.
SIGTERM or Ctrl-C stops it cleanly (exit 0).

example:
  syndicate run examples/site --out out --state state
  syndicate run examples/site --out out --state state --now 2026-11-23T07:00:00+07:00
  SYNDICATE_SMTP_USER=... SYNDICATE_SMTP_PASSWORD=... syndicate run site --feeds /etc/syndicate/feeds
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

# Only the standard library (and commands.common, which imports nothing else) up here:
# syndicate's other modules take half a second to load, and run() must catch SIGTERM before that.
from syndicate.commands.common import add_output_options, iso_datetime


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("site", type=Path, help="the Jekyll site folder (holds _config.yml and */_posts/)")
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="a TOML file that overrides _config.yml (docs/config.md)")
    add_output_options(p)
    p.add_argument("--now", type=iso_datetime, metavar="ISO",
                   help="replay from this clock, e.g. 2026-11-23T07:00:00+07:00: jobs run at start as if it were "
                        "then, and the clock runs on from there (default: the current time)")
    p.add_argument("--feeds", type=Path, metavar="DIR",
                   help="folder of channel definitions, *.toml (default: ./feeds when it exists)")
    p.add_argument("--debounce", type=float, default=1.0, metavar="SECONDS",
                   help="rebuild feeds once post changes have been quiet this long (default: 1)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("-q", "--quiet", action="store_true", help="log warnings and errors only")
    g.add_argument("-v", "--verbose", action="store_true", help="debug logs, the scheduler's included")


def run(args: argparse.Namespace) -> int:
    # Catch SIGTERM/SIGINT first, before the slow imports: caught later, a SIGTERM during start-up
    # killed the daemon (exit -15) or, as PID 1 of a container, was dropped by the kernel, leaving
    # a daemon that never stopped. The handler only notes the signal and the daemon's main loop sets
    # `stop`: Event.set() takes a lock the main thread may hold inside stop.wait(), where a handler
    # calling it would wait for itself forever.
    signalled: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: signalled.append(signum))

    from syndicate.commands.common import settings_from, state_dir
    from syndicate.config import ConfigError
    from syndicate.daemon.channels import check_environment, delivery_warnings, find_feeds_dir, load_channels
    from syndicate.daemon.service import Daemon
    from syndicate.system.lock import state_lock

    level = logging.WARNING if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if not args.verbose:  # their per-run INFO lines would double ours
        for name in ("apscheduler", "watchfiles"):
            logging.getLogger(name).setLevel(logging.WARNING)
    settings = settings_from(args)
    if settings is None:
        return 2
    try:
        feeds = find_feeds_dir(args.feeds, Path.cwd())
        channels = load_channels(feeds, settings)
        check_environment(channels, dict(os.environ))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for warning in delivery_warnings(channels):
        logging.getLogger("syndicate.run").warning(warning)
    state = state_dir(args)
    stop = threading.Event()
    with state_lock(state):
        logging.getLogger("syndicate.run").info(
            "site %s, out %s, state %s; channels from %s: %s", settings.site_dir, args.out, state,
            feeds or "the defaults (no feeds/ folder)",
            ", ".join(f"{ch.id} ({ch.kind}, {ch.schedule})" for ch in channels))
        Daemon(settings, channels, args.out, state, stop=stop, signalled=lambda: bool(signalled),
               environ=os.environ, debounce=args.debounce, now=args.now).serve()
    return 0
