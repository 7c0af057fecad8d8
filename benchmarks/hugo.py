"""The same synthetic site as a Hugo project, so `run.py --hugo` can time Hugo beside syndicate.

    python benchmarks/hugo.py SITE DEST        # convert a corpus.py site; then: hugo -s DEST

Hugo writes the equivalent feeds: RSS 2.0 for the site (home), each language (a section per
language folder) and each language's category (a `categories` term per language and
category, `english-politics`), 20 items each with the full rendered body, and no HTML pages.
That is 53 RSS files on the corpus, against syndicate's 53 feeds x 3 formats plus pages: Hugo's
work is a subset of syndicate's (one format, no pages), which favours Hugo.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import yaml

CONFIG = """\
baseURL = "{base}/"
title = "{title}"
disableKinds = ["sitemap", "robotsTXT", "404", "taxonomy"]  # taxonomy: the list of terms, not each term's feed
ignoreErrors = ["error-disable-taxonomy"]

[services.rss]
limit = 20

[taxonomies]
category = "categories"

[outputs]
home = ["RSS"]
section = ["RSS"]
term = ["RSS"]
"""

# Hugo's built-in RSS template carries summaries; this one carries the full body, as syndicate does.
RSS = """\
<rss version="2.0"><channel><title>{{ .Site.Title }} {{ .Title }}</title><link>{{ .Permalink }}</link>
<description>{{ .Site.Title }}</description>
{{ range first 20 .Pages.ByDate.Reverse }}<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate><guid>{{ .Permalink }}</guid>
<description>{{ .Content | html }}</description></item>
{{ end }}</channel></rss>
"""


def convert(site: Path, dest: Path) -> int:
    """Write the Hugo project for a corpus.py site; returns the number of posts."""
    shutil.rmtree(dest, ignore_errors=True)
    config = yaml.safe_load((site / "_config.yml").read_text(encoding="utf-8"))
    (dest / "layouts" / "_default").mkdir(parents=True)
    (dest / "config.toml").write_text(CONFIG.format(base=config["canonical_url_base"], title=config["title"]),
                                      encoding="utf-8")
    (dest / "layouts" / "_default" / "rss.xml").write_text(RSS, encoding="utf-8")
    count = 0
    for language in sorted(p.name for p in site.iterdir() if (p / "_posts").is_dir()):
        (dest / "content" / language).mkdir(parents=True)
        for entry in os.scandir(site / language / "_posts"):
            if entry.name.endswith(".md") and not entry.name.startswith("."):
                convert_post(Path(entry.path), dest)
                count += 1
    return count


def convert_post(post: Path, dest: Path) -> Path:
    """One Jekyll post as a Hugo page: its language's section, categories as per-language terms."""
    text = post.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front) or {}
    language = post.parent.parent.name
    categories = str(meta.get("categories") or "").split()
    header = {
        "title": str(meta.get("title", "")),
        "date": str(meta.get("date") or post.name[:10]),
        "categories": [f"{language}-{category}" for category in categories],
        "slug": post.stem[11:],
        "_build": {"render": "link", "list": "always"},  # in feeds with its URL, but no page written
    }
    target = dest / "content" / language / post.name
    target.write_text("---\n" + yaml.safe_dump(header, allow_unicode=True) + "---\n" + body, encoding="utf-8")
    return target


def command(dest: Path, out: Path) -> list[str]:
    return ["hugo", "--quiet", "--source", str(dest), "--destination", str(out), "--ignoreCache"]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    print(convert(Path(argv[0]), Path(argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
