"""The hostile fixture site: `tests/hostile/` as committed, plus the cases git cannot hold as
plain text, written at test time. Shared by test_hostile.py and test_check.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.etree
import lxml.html

HOSTILE_SITE = Path(__file__).parent / "hostile"
SECRET = "TOPSECRET-from-outside-the-site"
HUGE_BODY_BYTES = 2_100_000
MANY_CATEGORIES = 500


def front(title: str, day: str, categories: str = "politics") -> str:
    return f"---\ntitle: {title}\ndate: 2024-03-{day} 09:00:00 +0700\ncategories: {categories}\n---\n\n"


def make_hostile_site(root: Path) -> Path:
    """A copy of tests/hostile in `root/site`, with the generated cases; `root/outside` holds
    what symbolic links in the site point at."""
    site = root / "site"
    shutil.copytree(HOSTILE_SITE, site)
    posts = site / "english" / "_posts"
    generated = {
        "2024-03-02-bom.md": b"\xef\xbb\xbf" + front("BOM first", "02").encode() + b"Body after a byte order mark.\n",
        "2024-03-13-crlf.md": (front("Line endings from Windows", "13")
                               + "First paragraph.\n\nSecond paragraph.\n").replace("\n", "\r\n").encode(),
        # "Café" saved as Latin-1: the é is the single byte 0xE9, which is not UTF-8.
        "2024-03-14-latin1.md": (front("Latin-1 file", "14") + "\nCaf\xe9 au lait.\n").encode("latin-1"),
        "2024-03-15-control.md": (front("Bell\x07 and\x0b vertical tab", "15")
                                  + "NUL\x00, escape\x1b[31m and C1\x85 characters.\n").encode(),
        "2024-03-16-many-categories.md": front(
            "Five hundred categories", "16", " ".join(f"c{i:03d}" for i in range(MANY_CATEGORIES))).encode(),
        "2024-03-17-huge.md": front("A two-megabyte body", "17").encode() + b"word " * (HUGE_BODY_BYTES // 5),
    }
    for name, data in generated.items():
        (posts / name).write_bytes(data)
    outside = root / "outside"
    (outside / "posts").mkdir(parents=True)
    (outside / "2024-03-18-secret.md").write_text(front(SECRET, "18") + SECRET + "\n", encoding="utf-8")
    (outside / "posts" / "2024-03-19-linked.md").write_text(front(SECRET, "19") + SECRET + "\n", encoding="utf-8")
    (posts / "2024-03-18-secret.md").symlink_to(outside / "2024-03-18-secret.md")  # a file out of the site
    (posts / "linked").symlink_to(outside / "posts", target_is_directory=True)  # a folder out of the site
    (site / "leak").mkdir()
    (site / "leak" / "_posts").symlink_to(outside / "posts", target_is_directory=True)  # a whole _posts/
    return site


# -- reading outputs back for what a browser would run ---------------------------------------------
_URL_ATTRIBUTES = ("href", "src", "srcset", "action", "formaction", "poster", "background")
_ACTIVE_TAGS = frozenset({"script", "iframe", "frame", "object", "embed", "applet", "base", "form"})


def active_content(markup: str) -> list[str]:
    """What in an HTML fragment could run script: active tags, on* handlers, javascript: URLs."""
    if not markup.strip():
        return []
    found = []
    for element in lxml.html.fragments_fromstring(f"<div>{markup}</div>")[0].iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag.lower() in _ACTIVE_TAGS:
            found.append(f"<{element.tag}>")
        for name, value in element.attrib.items():
            squeezed = "".join(value.split()).lower()
            if name.lower().startswith("on"):
                found.append(f"{element.tag} {name}=")
            elif name.lower() == "style" and "script:" in squeezed or (
                    name.lower() in _URL_ATTRIBUTES and squeezed.startswith(("javascript:", "vbscript:", "data:"))):
                found.append(f"{element.tag} {name}={value!r}")
    return found


def html_in_feed(path: Path) -> list[str]:
    """Every HTML string a reader renders from one RSS or Atom file."""
    tree = lxml.etree.parse(str(path))
    content = "{http://purl.org/rss/1.0/modules/content/}encoded"
    atom = "{http://www.w3.org/2005/Atom}"
    texts = [e.text or "" for e in tree.iter("description", content)]
    texts += [e.text or "" for e in tree.iter(f"{atom}content", f"{atom}summary") if e.get("type") == "html"]
    return texts
