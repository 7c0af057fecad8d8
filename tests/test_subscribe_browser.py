"""The readable pages in a real browser: headless Chromium screenshots of an English and a Khmer
feed page and the site index. Skipped without Chromium, except under CI (CI=true), where .ci/run
installs it (Debian `chromium`, with `fonts-khmeros` for Khmer glyphs) and a skip would hide a gap.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image

from syndicate.config import load_settings
from syndicate.pipeline.build import build

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
WINDOW = (1000, 1400)
BAND = (0x0F, 0x2A, 0x47)  # --band in templates/feeds.css: the masthead


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but Chromium is missing: .ci/run must `apt-get install -y chromium fonts-khmeros`")
    pytest.skip("Chromium is not installed (apt-get install -y chromium fonts-khmeros); CI=true makes this a failure")


def _screenshot(browser: str, page: Path, png: Path) -> Image.Image:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--screenshot={png}",
             page.as_uri()],
            check=True, capture_output=True, timeout=120)
    return Image.open(png).convert("RGB")


@pytest.fixture(scope="module")
def out(sample_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    build(load_settings(sample_site), out, now=NOW, state_dir=tmp_path_factory.mktemp("state"))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("page", ["english/index.html", "khmer/index.html", "index.html"])
def test_pages_render_styled_in_chromium(out: Path, page: str, tmp_path: Path):
    browser = _chromium()
    image = _screenshot(browser, out / page, tmp_path / "page.png")
    assert image.size == WINDOW
    assert image.getpixel((5, 5)) == BAND, "the inline stylesheet did not apply"
    body = image.crop((0, 400, WINDOW[0], WINDOW[1]))
    assert len(body.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50, "nothing drawn below the masthead"


@pytest.mark.slow
def test_a_khmer_font_is_installed_where_chromium_is():
    _chromium()
    fonts = subprocess.run(["fc-list", ":lang=km", "family"], capture_output=True, text=True, check=False).stdout
    assert fonts.strip(), "no font covers Khmer: the Khmer pages would show boxes (apt-get install fonts-khmeros)"
