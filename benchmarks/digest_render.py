"""How long one email digest takes to render and inline, with premailer and with css-inline.

    python benchmarks/digest_render.py [SITE] [--language khmer] [--period weekly] [--date 2018-07-30]

The site defaults to ../shared/sample-site. The first run fills the build cache; the timings
are medians over repeated runs of the same window, with the cache warm, as the daemon sees it:
- produce: the whole `syndicate.digest.produce` (ledger, posts from the cache, HTML as sent
  under Gmail's clipping budget, plaintext, MIME, JSON; nothing is rewritten when unchanged);
- render + premailer: the Jinja template and premailer's inlining, as produce does them once;
- render + css-inline: the same with css-inline, for comparison (not used by syndicate).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

import css_inline

from syndicate.config import load_settings
from syndicate.digest import DigestSpec, produce
from syndicate.digest.compose import build_view
from syndicate.digest.inline import inline_css
from syndicate.digest.templates import render_html, stylesheet
from syndicate.digest.window import cutoff_on, window_ending
from syndicate.i18n import localizer
from syndicate.pipeline.site import Site
from syndicate.sources import templates_dir

SAMPLE = Path(__file__).resolve().parent.parent.parent / "shared" / "sample-site"


def median_ms(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--language", default="khmer")
    parser.add_argument("--period", default="weekly")
    parser.add_argument("--date", type=date.fromisoformat, default=date(2018, 7, 30))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    settings = load_settings(args.site)
    spec = DigestSpec.for_site(settings, args.language, args.period)
    tz = spec.zone(settings)
    end = cutoff_on(args.date, spec.cutoff_time, tz)
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        out, state = Path(tmp) / "out", Path(tmp) / "state"
        result = produce(settings, spec, out_dir=out, state_dir=state, now=now, window_end=end)
        if result is None:
            print("no posts in that window", file=sys.stderr)
            return 1
        produce_ms = median_ms(lambda: produce(settings, spec, out_dir=out, state_dir=state, now=now,
                                               window_end=end), args.runs)
        with Site.open(settings, state) as site:
            site.entries()
            by_url = {e.url: e for e in site.entries()}
            posts = [site.rendered(site.post(by_url[i].source)) for i in result.post_ids]
        loc = localizer(settings.language(spec.language).code, templates_dir() / "messages", spec.labels)
        view = build_view(posts, settings=settings, spec=spec, window=window_ending(end, spec.period, tz), tz=tz,
                          loc=loc, archive_url="https://example.org/archive.html")
        css = stylesheet()
        html = render_html(view)
        premailer_ms = median_ms(lambda: inline_css(render_html(view), css, (view.unsubscribe,)), args.runs)
        with_css = html.replace("</head>", f"<style>{css}</style></head>", 1)
        inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_at_rules=True)
        css_inline_ms = median_ms(lambda: inliner.inline(render_html(view).replace(
            "</head>", f"<style>{css}</style></head>", 1)), args.runs)
        assert inliner.inline(with_css)  # the comparison inlines the same document
        html_kb = result.paths["html"].stat().st_size / 1024
    print(f"{args.language} {args.period} digest ending {args.date}: {len(posts)} posts, {html_kb:.0f} KB of HTML")
    print(f"| produce (whole digest, warm cache) | {produce_ms:.0f} ms |")
    print(f"| render + premailer | {premailer_ms:.0f} ms |")
    print(f"| render + css-inline | {css_inline_ms:.1f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
