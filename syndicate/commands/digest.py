"""Write one email digest of a language's posts: inlined HTML, plain text, a .eml and a .json.

A digest's window ends at the cut-off (--cutoff, default 06:00 in the site's time zone) on the
day --date names, and starts one period earlier: `--date 2018-07-28` is the daily window
[2018-07-27 06:00, 2018-07-28 06:00), or reaches back to the end of the list's last digest when
days were skipped. Without --date, the window runs from the end of the list's last digest (or
one period back, for its first) to the latest cut-off before now. The ledger in
the state folder records every digest: running the same window again gives the same bytes, and
a post is never sent twice to one list. Files go to OUT/digests/<language>/<period>/<date>.*

example:
  syndicate digest ../shared/sample-site --language english --date 2018-07-28 --out /tmp/out --state /tmp/state
  syndicate digest ../shared/sample-site --language khmer --period weekly --date 2018-07-30 --unsubscribe '*|UNSUB|*'
"""

from __future__ import annotations

import argparse
import calendar
import re
import sys
from datetime import date

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
from syndicate.digest import DigestError, DigestSpec, produce
from syndicate.digest.spec import DEFAULT_UNSUBSCRIBE
from syndicate.digest.window import cutoff_on
from syndicate.system.lock import state_lock
from syndicate.system.workers import default_workers


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_site_options(p)
    add_output_options(p)
    add_verbosity_options(p)
    p.add_argument("--language", required=True, metavar="LANG", help="the site's language key, e.g. english or khmer")
    p.add_argument("--period", type=_period, default="daily", metavar="PERIOD",
                   help="daily, weekly or a number of seconds (default: daily)")
    p.add_argument("--date", type=_day, metavar="YYYY-MM-DD",
                   help="the day whose cut-off ends the window (default: the window due now)")
    p.add_argument("--cutoff", default="06:00", metavar="HH:MM", help="when windows end, local time (default: 06:00)")
    p.add_argument("--timezone", metavar="ZONE", help="the list's time zone, e.g. Asia/Phnom_Penh (default: the site's)")
    p.add_argument("--category", action="append", dest="categories", metavar="NAME",
                   help="only posts in this category (repeatable)")
    p.add_argument("--list-id", metavar="ID", help="the list's id in the ledger and headers (default: LANG-PERIOD)")
    p.add_argument("--list-address", metavar="EMAIL", help="the To: address (default: digest-LANG@<site host>)")
    p.add_argument("--from-address", metavar="EMAIL", help="the From: address (default: newsroom@<site host>)")
    p.add_argument("--unsubscribe", default=DEFAULT_UNSUBSCRIBE, metavar="TAG",
                   help=f"your ESP's unsubscribe merge tag or an https URL (default: {DEFAULT_UNSUBSCRIBE}; "
                        "Mailchimp: *|UNSUB|*)")
    p.add_argument("--unsubscribe-mailto", metavar="URL", help="a mailto: URL beside it in List-Unsubscribe")
    p.add_argument("--postal-address", metavar="TEXT", help="the sender's postal address, shown in the footer")
    p.add_argument("--preferences-url", metavar="URL", help="a link to the subscriber's preferences, in the footer")
    p.add_argument("--site-subject", action="store_true",
                   help="subject with the site's name and the date, not the top story's title")
    p.add_argument("--max-items", type=int, default=20, metavar="N", help="posts shown in full at most (default: 20)")
    p.add_argument("--max-periods", type=int, default=7, metavar="N",
                   help="a window reaching back to the last digest spans at most N periods (default: 7)")
    p.add_argument("--send-empty", action="store_true", help="write a digest even when the window has no posts")


def run(args: argparse.Namespace) -> int:
    setup_logging(args)
    settings = settings_from(args)
    if settings is None:
        return 2
    now = now_from(args)
    announce_state(args)
    try:
        spec = DigestSpec.for_site(
            settings, args.language, args.period, list_id=args.list_id, list_address=args.list_address,
            from_address=args.from_address, categories=tuple(args.categories or ()), cutoff=args.cutoff,
            timezone=args.timezone, unsubscribe=args.unsubscribe, unsubscribe_mailto=args.unsubscribe_mailto,
            postal_address=args.postal_address, preferences_url=args.preferences_url,
            subject_headline=not args.site_subject, max_items=args.max_items, max_periods=args.max_periods,
            send_empty=args.send_empty)
        end = cutoff_on(args.date, spec.cutoff_time, spec.zone(settings)) if args.date else None
        # The ledger and cache are shared with `build` and `run`: one writer at a time.
        with state_lock(state_dir(args)):
            result = produce(settings, spec, out_dir=args.out, state_dir=state_dir(args), now=now, window_end=end,
                             workers=default_workers())
    except DigestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if result is None:
        if not args.quiet:
            print(f"no digest for {spec.list_id}: no new {args.language} posts in the window"
                  + ("" if args.date else " (or no period has closed since the last digest)"), file=sys.stderr)
        return 0
    print_problems(result.problems, args.quiet)
    for path in result.paths.values():
        print(path)
    if args.verbose:
        print(f"{result.subject} | {len(result.post_ids)} posts | {result.message_id} | "
              f"{result.window_start.isoformat()} to {result.window_end.isoformat()}"
              f"{' (repeated from the ledger)' if result.repeated else ''}", file=sys.stderr)
    return 0


def _day(value: str) -> date:
    """A calendar day, named in the user's terms when it is none: "2018-02-30: February 2018 has 28 days"."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: expected YYYY-MM-DD, e.g. 2018-07-28")
    year, month, _ = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise argparse.ArgumentTypeError(f"{value}: there is no month {month}")
    days = calendar.monthrange(year, month)[1]
    raise argparse.ArgumentTypeError(f"{value}: {calendar.month_name[month]} {year} has {days} days")


def _period(value: str) -> str | int:
    if value in ("daily", "weekly"):
        return value
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected daily, weekly or a number of seconds, got {value!r}") from None
