"""Digests laid out by a real browser engine (headless Chromium) at 600, 375 and 320 px, with
their <style> and without it (as clients that strip it show them): nothing is wider than the
screen. Screenshots land in the test's temporary folder; to look at them, run
`tests/render_email.py`. Skips without Chromium, except under CI (CI=true), where it fails."""

from __future__ import annotations

import os
import struct

import pytest
from render_email import WIDTHS, chromium, measure, sample_digests, screenshot, without_style

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def digests(sample_site, tmp_path_factory):
    if chromium() is None:
        reason = "headless Chromium is not installed (Debian: apt-get install -y chromium fonts-khmeros)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return sample_digests(sample_site, tmp_path_factory.mktemp("chromium"))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["english-daily", "khmer-daily", "khmer-weekly", "khmer-empty"])
def test_nothing_is_wider_than_the_screen(digests, name, width):
    size = measure(digests[name], width)
    assert size["scrollWidth"] <= width and size["right"] <= width, size
    assert size["scrollHeight"] > 300  # it laid out a whole digest, not an error page


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["english-weekly", "khmer-weekly"])
def test_the_inlined_layout_holds_without_style_elements(digests, name, width):
    size = measure(without_style(digests[name]), width)
    assert size["scrollWidth"] <= width and size["right"] <= width, size


def test_screenshots_are_taken_at_both_widths(digests, tmp_path):
    for width in WIDTHS:
        png = screenshot(digests["khmer-daily"], tmp_path / f"khmer-{width}.png", width, 1200, dark=width == 375)
        header = png.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", header[16:24]) == (width, 1200)
