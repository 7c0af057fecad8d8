"""Options and printing shared by several commands.

Only the standard library is imported here at load time, so every command, the daemon's
included (it must catch SIGTERM before syndicate's slower modules load), can use these bundles.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from syndicate.config import Settings
    from syndicate.model import Problem
from syndicate.commands.problem_kinds import summary_lines


def add_site_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("site", type=Path, help="the Jekyll site folder (holds _config.yml and */_posts/)")
    p.add_argument("--config", type=Path, metavar="FILE", help="a TOML file that overrides _config.yml (docs/config.md)")
    p.add_argument("--now", type=iso_datetime, metavar="ISO",
                   help="the build's clock, e.g. 2018-07-30T12:00:00+07:00 (default: the current time)")


def add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("out"), metavar="DIR", help="output folder (default: ./out)")
    p.add_argument("--state", type=Path, metavar="DIR",
                   help="state folder for the cache and ledger (default: $XDG_STATE_HOME/syndicate/<site>)")


def add_verbosity_options(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    g.add_argument("-v", "--verbose", action="store_true", help="print every problem (not one line per kind), every file written and debug logs")


def setup_logging(args: argparse.Namespace) -> None:
    """-v shows syndicate's own debug logs; other libraries' (markdown-it writes one per rule
    and line) stay at warnings."""
    logging.basicConfig(level=logging.ERROR if args.quiet else logging.WARNING,
                        format="%(levelname)s: %(message)s", stream=sys.stderr)
    if args.verbose:
        logging.getLogger("syndicate").setLevel(logging.DEBUG)


def settings_from(args: argparse.Namespace) -> Settings | None:
    """Settings for the command, or None after printing why they cannot be had."""
    from syndicate.config import ConfigError, load_settings  # YAML and Babel: loaded when needed

    try:
        return load_settings(args.site, args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def state_dir(args: argparse.Namespace) -> Path:
    if args.state is not None:
        return args.state
    site = Path(args.site).resolve()
    return state_base() / f"{site.name}-{hashlib.sha256(str(site).encode()).hexdigest()[:8]}"


def announce_state(args: argparse.Namespace) -> None:
    """Say where the default state folder is the first time a command creates it: it holds the
    cache and the digest ledger, which decides what a list has already been sent."""
    if args.state is None and not args.quiet and not state_dir(args).exists():
        print(f"keeping the cache and the digest ledger in {state_dir(args)} (choose with --state)",
              file=sys.stderr)


def state_base() -> Path:
    """The folder holding every site's default state folder."""
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "syndicate"


def now_from(args: argparse.Namespace) -> datetime:
    return args.now or datetime.now(timezone.utc)


def print_problems(problems: tuple[Problem, ...] | list[Problem], quiet: bool, verbose: bool = True) -> None:
    """Each problem on a line of its own; without `verbose`, one line per kind of problem."""
    shown = [problem for problem in problems if problem.severity == "error" or not quiet]
    lines = [f"{problem.severity}: {problem}" for problem in shown] if verbose else summary_lines(shown)
    for line in lines:
        print(line, file=sys.stderr)


def iso_datetime(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date and time: {value!r}") from exc
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
