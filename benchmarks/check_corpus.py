"""Sanity checks for the synthetic corpus: parseable, deterministic, shaped like a news site.

    python benchmarks/check_corpus.py [--posts 2000] [--seed 1]

Generates the corpus twice with the same seed (and once with another), then parses every
post with python-frontmatter and prints the language, category, size and date figures.
Exits non-zero when a check fails.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

import frontmatter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402


def tree_digest(root: Path) -> str:
    """One hash over every file's relative path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def load_posts(site: Path) -> list[tuple[Path, frontmatter.Post]]:
    return [(path, frontmatter.load(path)) for path in sorted(site.glob("*/_posts/*.md"))]


def permalink_of(path: Path, post: frontmatter.Post) -> str:
    return corpus.permalink(post["language"], tuple(post["categories"].split()), path.stem[11:])


def report(site: Path) -> list[str]:
    """Print the corpus's figures; return the failed checks."""
    posts = load_posts(site)
    failures = []
    languages = Counter(post["language"] for _, post in posts)
    print(f"posts: {len(posts)}  by language: {dict(sorted(languages.items()))}")
    if any(post["language"] != path.parent.parent.name for path, post in posts):
        failures.append("a post's language differs from its folder")

    permalinks = {permalink_of(path, post) for path, post in posts}
    links = [post["translation"] for _, post in posts if "translation" in post.metadata]
    dangling = [link for link in links if link not in permalinks]
    print(f"with translation: {len(links) / len(posts):.0%}  dangling: {len(dangling)}")
    if dangling:
        failures.append(f"{len(dangling)} translation links lead nowhere")

    per_post = Counter(len(post["categories"].split()) for _, post in posts)
    categories = Counter(c for _, post in posts for c in post["categories"].split())
    print(f"categories: {len(categories)} distinct; per post: {dict(sorted(per_post.items()))}")
    print("  most used: " + ", ".join(f"{c} {n}" for c, n in categories.most_common(5)))
    print("  least used: " + ", ".join(f"{c} {n}" for c, n in categories.most_common()[-3:]))

    for language in sorted(languages):
        sizes = [len(post.content.encode()) for _, post in posts if post["language"] == language]
        print(
            f"{language} body bytes: mean {statistics.mean(sizes):,.0f}  "
            f"median {statistics.median(sizes):,.0f}  max {max(sizes):,}"
        )

    days = Counter(path.name[:10] for path, _ in posts)
    print(
        f"dates: {min(days)} .. {max(days)}  days with posts: {len(days)}  "
        f"most on one day: {max(days.values())}"
    )
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        first, again, other = Path(tmp, "first"), Path(tmp, "again"), Path(tmp, "other")
        corpus.generate(first, args.posts, args.seed)
        corpus.generate(again, args.posts, args.seed, jobs=1)  # other worker count, same bytes
        corpus.generate(other, args.posts, args.seed + 1)
        failures = report(first)
        digest = tree_digest(first)
        again_digest, other_digest = tree_digest(again), tree_digest(other)
        print(f"digest: {digest[:16]}  same seed: {again_digest[:16]}  other seed: {other_digest[:16]}")
        if again_digest != digest:
            failures.append("same seed gave different bytes")
        if other_digest == digest:
            failures.append("another seed gave the same bytes")
        added = corpus.add_post(first, args.seed)
        newest = max(path.name[:10] for path in first.glob("*/_posts/*.md") if path != added)
        print(f"add_post: {added.relative_to(first)}")
        if added.name[:10] <= newest or "translation" in frontmatter.load(added).metadata:
            failures.append("add_post's post is not the newest, untranslated post")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
