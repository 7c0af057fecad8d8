"""The floor: the least any build must do, as one whole Python process.

    python benchmarks/floor.py SITE

Walks every `_posts/` folder under SITE, reads each post and parses its front matter with
PyYAML's C loader; nothing else. Prints the number of posts parsed. syndicate's timings
are reported as multiples of this process's wall time.
"""

from __future__ import annotations

import os
import sys

import yaml

POST_SUFFIXES = (".md", ".markdown", ".html")


def post_files(site: str):
    """Every post file in any `_posts` folder, skipping hidden folders and Jekyll's output."""
    for folder, subfolders, files in os.walk(site):
        subfolders[:] = [name for name in subfolders if not name.startswith(".") and name != "_site"]
        if os.path.basename(folder) == "_posts":
            yield from (os.path.join(folder, name) for name in files if name.endswith(POST_SUFFIXES))


def front_matter(text: str) -> dict:
    """The YAML between the opening `---` line and the next one; {} when there is none."""
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        return {}
    return yaml.load(text[3:end], Loader=yaml.CSafeLoader) or {}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    count = 0
    for path in post_files(argv[0]):
        with open(path, encoding="utf-8") as file:
            front_matter(file.read())
        count += 1
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
