"""The `[feeds]` keys for subscribers: hub, stylesheet, archives, archive_page_size."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuilder import make_site

from syndicate.config import ConfigError, load_settings


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", {})


def _load(site: Path, tmp_path: Path, toml: str):
    config = tmp_path / "syndicate.toml"
    config.write_text(toml, encoding="utf-8")
    return load_settings(site, config)


def test_defaults_are_off(site: Path):
    settings = load_settings(site)
    assert (settings.hubs, settings.stylesheet, settings.archives, settings.archive_page_size) == ((), False, False, 50)


def test_values_are_read(site: Path, tmp_path: Path):
    settings = _load(site, tmp_path, '[feeds]\nhub = "https://hub.example.org/"\nstylesheet = "/style/feed.xsl"\n'
                                     'archives = true\narchive_page_size = 25\n')
    assert settings.hubs == ("https://hub.example.org/",)
    assert (settings.stylesheet, settings.archives, settings.archive_page_size) == ("/style/feed.xsl", True, 25)
    assert _load(site, tmp_path, '[feeds]\nhub = ["https://a.example/", "https://b.example/"]\n').hubs == (
        "https://a.example/", "https://b.example/")


def test_each_key_changes_the_fingerprint(site: Path, tmp_path: Path):
    """Feeds carry these links, so changing one must rebuild them (the cache key includes the fingerprint)."""
    base = load_settings(site).fingerprint()
    for toml in ('hub = "https://hub.example.org/"', "stylesheet = true", "archives = true", "archive_page_size = 9"):
        assert _load(site, tmp_path, f"[feeds]\n{toml}\n").fingerprint() != base, toml


@pytest.mark.parametrize("toml, key", [
    ('hub = "ftp://hub.example.org/"', "feeds.hub"),
    ("hub = [1, 2]", "feeds.hub"),
    ('stylesheet = "feed.xsl"', "feeds.stylesheet"),
    ('archives = "yes"', "feeds.archives"),
    ("archive_page_size = 0", "feeds.archive_page_size"),
    ("archive_page_size = true", "feeds.archive_page_size"),
])
def test_bad_values_name_the_file_and_key(site: Path, tmp_path: Path, toml: str, key: str):
    with pytest.raises(ConfigError) as error:
        _load(site, tmp_path, f"[feeds]\n{toml}\n")
    assert "syndicate.toml" in str(error.value) and key in str(error.value)
