"""How close each feed item's body is to the post as Jekyll itself renders it.

    .venv/bin/python benchmarks/fidelity.py [SITE] [--write docs/fidelity.md]

Copies SITE (default ../shared/sample-site) to a scratch folder, builds it there with Debian's
`jekyll` (the Gemfile moved aside; a small plugin writes each post's body as Jekyll converted
it, before the layout), builds it with syndicate with room for every post in its feeds, and
compares each post's body: word similarity, missing and extra words, images, links and zero-width
spaces. Exits 1 when jekyll is missing.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "sample-site"
THRESHOLD = 0.995

_DUMP_PLUGIN = """
require "json"
SYNDICATE_BODIES = {}
Jekyll::Hooks.register :posts, :post_convert do |post|
  SYNDICATE_BODIES[post.url] = { "source" => post.relative_path, "html" => post.content,
                                 "dateline" => post.data["dateline"].to_s }
end
Jekyll::Hooks.register :site, :post_write do |site|
  File.write(File.join(site.dest, "syndicate-bodies.json"), JSON.generate(SYNDICATE_BODIES))
end
"""
# A word: text between spaces (and the zero-width spaces Khmer puts between words), trimmed of
# punctuation; `regex` knows that Khmer vowel signs are part of a word.
_PUNCTUATION = "".join(chr(c) for c in range(0x10000) if unicodedata.category(chr(c))[0] in "PSZ") + "\u200b"
# One photo's renditions (`X_w1023_s.jpg`, `X_cx0_cy8_w420_h420_r1_s.jpg`) share a key.
_LAYOUT_VIDEO = re.compile(r'<figure class="video"><a href="https://www\.youtube\.com/watch\?v=([\w-]+)".*?</figure>\n?',
                           re.S)
_SIZE_SUFFIX = re.compile(r"(?:_[a-z]{1,2}\d+)+(?:_s)?(?=\.\w+$)")


@dataclass(frozen=True)
class Body:
    words: list[str]
    images: frozenset[str]
    links: frozenset[str]
    zwsp: int


@dataclass(frozen=True)
class Row:
    source: str
    similarity: float
    missing: list[str]
    extra: list[str]
    images: tuple[int, int, int]  # Jekyll's, syndicate's, Jekyll's missing from syndicate
    lost_images: list[str]
    links: tuple[int, int]
    zwsp: tuple[int, int]


def jekyll_bodies(site: Path, scratch: Path) -> dict[str, dict[str, str]]:
    """Each post's body as Jekyll renders it (Liquid, then kramdown), by URL path."""
    copy = scratch / "site"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("_site", ".jekyll-cache"))
    for name in ("Gemfile", "Gemfile.lock"):  # the github-pages gem is not packaged
        if (copy / name).exists():
            (copy / name).rename(scratch / name)
    includes = copy / "_includes"
    # Posts that say `language: Khmer` load `timeline-Khmer.html` (see the sample site's README).
    if (includes / "timeline-khmer.html").exists() and not (includes / "timeline-Khmer.html").exists():
        shutil.copy(includes / "timeline-khmer.html", includes / "timeline-Khmer.html")
    (copy / "_plugins").mkdir(exist_ok=True)
    (copy / "_plugins" / "syndicate_dump.rb").write_text(_DUMP_PLUGIN)
    subprocess.run(["jekyll", "build", "-s", str(copy), "-d", str(scratch / "jekyll")], check=True,
                   capture_output=True, text=True)
    return json.loads((scratch / "jekyll" / "syndicate-bodies.json").read_text())


def syndicate_bodies(site: Path, scratch: Path, config: Path) -> dict[str, str]:
    """Each post's `content_html` from a syndicate build with every post in the site feed."""
    settings = scratch / "all.toml"
    text = config.read_text() if config.exists() else ""
    text = re.sub(r"(?m)^(limit|exclude_categories)\s*=.*$", "", text)
    text = text.replace("[feeds]", "[feeds]\nlimit = 100000\nexclude_categories = []", 1) if "[feeds]" in text \
        else text + "\n[feeds]\nlimit = 100000\n"
    settings.write_text(text)
    subprocess.run([sys.executable, "-m", "syndicate", "build", str(site), "--config", str(settings),
                    "--out", str(scratch / "out"), "--state", str(scratch / "state")],
                   check=True, capture_output=True, text=True, cwd=ROOT)
    feed = json.loads((scratch / "out" / "feed.json").read_text())
    return {re.sub(r"^https?://[^/]+", "", item["url"]).split("#")[0]: item.get("content_html", "")
            for item in feed["items"]}


def parse(markup: str, spacers: tuple[str, ...] = ()) -> Body:
    root = lxml.html.fragment_fromstring(markup or "<p></p>", create_parent="div")
    for element in root.xpath(".//script|.//style|.//noscript|.//template"):
        element.drop_tree()
    # An ai2html graphic holds one artboard per range of screen widths and the page's CSS shows
    # one: compare what the widest screen shows (the feed keeps that artboard).
    for parent in root.xpath(".//*[count(*[@data-min-width]) > 1]"):
        boards = parent.xpath("./*[@data-min-width]")
        widest = max(boards, key=lambda board: float(re.sub(r"[^\d.]", "", board.get("data-min-width")) or -1))
        for board in boards:
            if board is not widest:
                board.drop_tree()
    text = root.text_content()
    images = frozenset(_image_key(img.get("src", "")) for img in root.iter("img")
                       if img.get("src") and not any(s in img.get("src") for s in spacers))
    links = frozenset(a.get("href") for a in root.iter("a") if a.get("href"))
    words = [word.strip(_PUNCTUATION).casefold() for word in text.replace("\u200b", " ").split()]
    return Body([word for word in words if word], images, links, text.count("\u200b"))


def _image_key(src: str) -> str:
    return _SIZE_SUFFIX.sub("", src.split("?")[0].rsplit("/", 1)[-1])


def compare(source: str, jekyll: Body, ours: Body) -> Row:
    matcher = difflib.SequenceMatcher(None, jekyll.words, ours.words, autojunk=False)
    missing, extra = Counter(jekyll.words) - Counter(ours.words), Counter(ours.words) - Counter(jekyll.words)
    return Row(source, matcher.ratio() if jekyll.words or ours.words else 1.0,
               sorted(missing.elements()), sorted(extra.elements()),
               (len(jekyll.images), len(ours.images), len(jekyll.images - ours.images)),
               sorted(jekyll.images - ours.images),
               (len(jekyll.links), len(ours.links)), (jekyll.zwsp, ours.zwsp))


def run(site: Path, config: Path) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="fidelity-") as scratch_dir:
        scratch = Path(scratch_dir)
        theirs = jekyll_bodies(site, scratch)
        ours = syndicate_bodies(site, scratch, config)
    # The feed's URLs carry the canonical base, which may have a path of its own.
    by_path = {path: html for url, html in ours.items() for path in _suffixes(url)}
    rows = []
    for url, body in sorted(theirs.items(), key=lambda kv: kv[1]["source"]):
        if url not in by_path:
            continue
        html = body["html"].replace("$DATELINE$", body["dateline"])  # as the layout does
        ours_html = by_path[url]
        video = _LAYOUT_VIDEO.match(ours_html)
        if video and video.group(1) not in html:  # the video the layout shows above the body
            ours_html = ours_html[video.end():]
        rows.append(compare(body["source"], parse(html, ("rectangle__",)), parse(ours_html)))
    return rows


def _suffixes(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(["", *parts[k:]]) for k in range(1, len(parts))]


def report(rows: list[Row]) -> str:
    scores = [row.similarity for row in rows]
    below = [row for row in rows if row.similarity < THRESHOLD]
    lines = [
        f"{len(rows)} posts compared; similarity median {median(scores):.4f}, lowest {min(scores):.4f}; "
        f"{len(rows) - len(below)} at or above {THRESHOLD}.",
        f"Images Jekyll shows that the feed lacks: {sum(r.images[2] for r in rows)}. "
        f"Zero-width spaces: Jekyll {sum(r.zwsp[0] for r in rows)}, feed {sum(r.zwsp[1] for r in rows)}. "
        f"Links: Jekyll {sum(r.links[0] for r in rows)}, feed {sum(r.links[1] for r in rows)}.",
        "",
        "| post | similarity | missing words | extra words | images (Jekyll / feed / lost) | links | ZWSP |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(f"| {row.source} | {row.similarity:.4f} | {_words(row.missing)} | {_words(row.extra)} | "
                     f"{row.images[0]} / {row.images[1]} / {row.images[2]} | {row.links[0]} / {row.links[1]} | "
                     f"{row.zwsp[0]} / {row.zwsp[1]} |")
    return "\n".join(lines) + "\n"


def _words(words: list[str], shown: int = 8) -> str:
    if not words:
        return "0"
    sample = " ".join(words[:shown]).replace("|", "\\|")
    return f"{len(words)}: {sample}{' …' if len(words) > shown else ''}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", type=Path, default=SAMPLE)
    parser.add_argument("--config", type=Path, default=ROOT / "examples" / "sample-site.toml")
    parser.add_argument("--write", type=Path, help="write the summary and table into this Markdown file")
    args = parser.parse_args()
    if shutil.which("jekyll") is None:
        print("jekyll is not installed (apt-get install jekyll)", file=sys.stderr)
        return 1
    text = report(run(args.site, args.config))
    if args.write:
        marker = "<!-- fidelity table -->"
        old = args.write.read_text() if args.write.exists() else marker
        head = old.split(marker)[0]
        args.write.write_text(f"{head}{marker}\n{text}")
    print(text.split("\n\n")[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
