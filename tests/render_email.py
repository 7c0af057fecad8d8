"""Render digest HTML in headless Chromium: screenshots to look at, and layout measurements.

    .venv/bin/python tests/render_email.py [SITE] [--out DIR]

writes the English and Khmer daily digests of 2018-07-28, the weekly ones ending 2018-07-30 and
an empty English daily from SITE (default ../shared/sample-site), then a PNG of each at 600, 375
and 320 px wide, light, dark, and light with every <style> removed (as clients that strip it
show it), into DIR (default /tmp/digest-screens). Khmer glyphs need a Khmer font: Debian's
fonts-khmeros. tests/test_digest_chromium.py uses `measure` from here.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from datetime import date, datetime, timezone
from pathlib import Path

WIDTHS = (600, 375, 320)
STYLE = re.compile(r"<style\b.*?</style>", re.DOTALL)
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
          "--no-first-run", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
          "--mute-audio", "--disable-extensions"]
# Where an image fails to load (no network here) Chromium still reserves its box; blocking
# remote fetches keeps the run offline and fast.
_OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND"]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(args: list[str], profile: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), *_FLAGS, *_OFFLINE, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=timeout, check=True)


def screenshot(html: Path, png: Path, width: int, height: int, dark: bool = False) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        _run([f"--window-size={width},{height}", f"--screenshot={png}",
              *(["--force-dark-mode", "--blink-settings=preferredColorScheme=0"] if dark else []),
              html.resolve().as_uri()], profile)
    return png


def measure(html: Path, width: int) -> dict[str, int]:
    """The email's layout at `width` px: its document's scroll width and height, and the widest
    element's right edge. Loads it in an iframe of that width, in a page of our own that reports
    through the DOM (the email itself carries no script)."""
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.html"
        probe.write_text(f"""<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="{html.resolve().as_uri()}" style="border:0;width:{width}px;height:2000px"></iframe>
<pre id="out"></pre>
<script>
document.getElementById('f').addEventListener('load', () => {{
  const d = document.getElementById('f').contentDocument;
  let right = 0;
  for (const el of d.body.querySelectorAll('*')) right = Math.max(right, Math.ceil(el.getBoundingClientRect().right));
  document.getElementById('out').textContent = 'MEASURE' + JSON.stringify(
    {{scrollWidth: d.documentElement.scrollWidth, scrollHeight: d.documentElement.scrollHeight, right: right}});
}});
</script></body></html>""", encoding="utf-8")
        done = _run(["--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
                    str(Path(tmp) / "profile"))
    text = done.stdout.split("MEASURE", 1)[1].split("</pre>", 1)[0]
    return json.loads(text.replace("&quot;", '"'))


def with_local_images(html: Path, folder: Path) -> Path:
    """A copy of `html` whose remote images are a local 1023x575 grey picture, so screenshots
    taken offline still show how images sit and scale."""
    picture = folder / "placeholder.png"
    if not picture.exists():
        picture.write_bytes(_png(1023, 575, (0x8a, 0x94, 0xa0)))
    copy = html.with_suffix(".images.html")
    copy.write_text(re.sub(r'src="https?://[^"]+"', f'src="{picture.as_uri()}"', html.read_text(encoding="utf-8")),
                    encoding="utf-8")
    return copy


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = (b"\0" + bytes(rgb) * width) * height
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def without_style(html: Path) -> Path:
    """A copy of `html` without its <style> elements: what a client that strips them shows."""
    copy = html.with_suffix(".nostyle.html")
    copy.write_text(STYLE.sub("", html.read_text(encoding="utf-8")), encoding="utf-8")
    return copy


SAMPLES = (("english", "daily", date(2018, 7, 28)), ("khmer", "daily", date(2018, 7, 28)),
           ("english", "weekly", date(2018, 7, 30)), ("khmer", "weekly", date(2018, 7, 30)),
           ("english", "empty", date(2018, 7, 28)), ("khmer", "empty", date(2018, 7, 28)))
# "empty" is a list of a category no post has: the digest with no story.


def sample_digests(site: Path, out: Path) -> dict[str, Path]:
    """The HTML of the digests of SAMPLES, written under `out`, by "language-period"."""
    from syndicate.config import load_settings
    from syndicate.digest import DigestSpec, produce
    from syndicate.digest.window import cutoff_on

    settings = load_settings(site)
    now = datetime(2018, 8, 15, tzinfo=timezone.utc)
    htmls = {}
    for language, period, day in SAMPLES:
        spec = DigestSpec.for_site(settings, language, period, send_empty=True) if period != "empty" else \
            DigestSpec.for_site(settings, language, list_id="empty", categories=("no-such-category",), send_empty=True)
        end = cutoff_on(day, spec.cutoff_time, spec.zone(settings))
        result = produce(settings, spec, out_dir=out / "out", state_dir=out / "state", now=now, window_end=end)
        htmls[f"{language}-{period}"] = result.paths["html"]
    return htmls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", nargs="?", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "sample-site")
    parser.add_argument("--out", type=Path, default=Path("/tmp/digest-screens"))
    parser.add_argument("--height", type=int, default=0, help="screenshot height (default: the whole email)")
    parser.add_argument("--images", action="store_true", help="show a local grey picture for every remote image")
    args = parser.parse_args()
    if chromium() is None:
        raise SystemExit("chromium is not installed (Debian: apt-get install -y chromium fonts-khmeros)")
    for name, html in sample_digests(args.site, args.out).items():
        shown = with_local_images(html, args.out) if args.images else html
        for width in WIDTHS:
            size = measure(shown, width)
            for variant, page, dark in (("", shown, False), ("-dark", shown, True),
                                        ("-nostyle", without_style(shown), False)):
                png = args.out / f"{name}-{width}{variant}.png"
                screenshot(page, png, width, args.height or min(size["scrollHeight"], 6000), dark)
                print(png, size)


if __name__ == "__main__":
    main()
