"""Shared fixtures. The real sample site lives beside the project, never inside it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE_SITE = PROJECT.parent / "shared" / "sample-site"
EXAMPLE_SITE = PROJECT / "examples" / "site"
SEED_POST = "english/_posts/2018-07-26-hun-sen-circles-opponents-abroad-and-at-home.md"


@pytest.fixture(scope="session")
def sample_site() -> Path:
    """The real bilingual site; skipped when absent unless SYNDICATE_REQUIRE_SAMPLE=1."""
    if not (SAMPLE_SITE / "_config.yml").is_file():
        if os.environ.get("SYNDICATE_REQUIRE_SAMPLE") == "1":
            pytest.fail(f"SYNDICATE_REQUIRE_SAMPLE=1 but the sample site is missing at {SAMPLE_SITE}")
        pytest.skip(f"the shared sample site is not at {SAMPLE_SITE}")
    return SAMPLE_SITE


@pytest.fixture(scope="session")
def example_site() -> Path:
    return EXAMPLE_SITE
