"""Golden files: posts written for these tests in the sample site's style, and the HTML
they must render to.

Each case is tests/golden/<name>.md (front matter + body) with tests/golden/<name>.html.
After a deliberate change to the renderer, regenerate the expected files with

    SYNDICATE_REGEN_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_render_golden.py

and review the diff of tests/golden/*.html by eye before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import frontmatter
import pytest

from syndicate.render import RenderContext, Rendered, render_body

GOLDEN = Path(__file__).resolve().parent / "golden"
BASE_URL = "https://projects.example.org/election-2018"
LANGUAGE_CODES = {"english": "en", "khmer": "km"}
CASES = sorted(GOLDEN.glob("*.md"))


def render_case(case: Path) -> Rendered:
    post = frontmatter.loads(case.read_text(encoding="utf-8"))
    language = post.get("language", "english")
    folders = "/".join(str(post.get("categories", "")).split())
    return render_body(
        post.content,
        RenderContext(
            base_url=BASE_URL,
            page_url=f"{BASE_URL}/{language}/{folders}/{case.stem}.html",
            source=f"{language}/_posts/{case.name}",
            language_code=LANGUAGE_CODES[language],
            dateline=post.get("dateline"),
        ),
    )


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 6


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.stem)
def test_golden(case: Path) -> None:
    html = render_case(case).html
    expected = case.with_suffix(".html")
    if os.environ.get("SYNDICATE_REGEN_GOLDEN") == "1":
        expected.write_text(html, encoding="utf-8")
    assert expected.is_file(), f"no {expected.name}: run with SYNDICATE_REGEN_GOLDEN=1 and review it"
    assert html == expected.read_text(encoding="utf-8")
