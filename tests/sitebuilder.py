"""Tiny Jekyll sites written into a temporary folder, for tests that need one exact case."""

from __future__ import annotations

from pathlib import Path

CONFIG = """\
title: Test Site
description: A site made by a test.
url: https://news.example.com
timezone: Asia/Phnom_Penh
permalink: /:categories/:title:output_ext
"""


def make_site(root: Path, posts: dict[str, str], config: str = CONFIG) -> Path:
    """Write `_config.yml` and each post (path relative to the site -> file text)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text(config, encoding="utf-8")
    for rel, text in posts.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def post(title: str = "A title", body: str = "Body text.", **front: str) -> str:
    lines = [f"title: {title!r}" if title else ""] + [f"{k}: {v}" for k, v in front.items()]
    return "---\n" + "\n".join(l for l in lines if l) + "\n---\n\n" + body + "\n"
