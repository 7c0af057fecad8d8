"""Every digest (English and Khmer, daily, weekly and empty) checked against caniemail's data
for Gmail, Outlook, Apple Mail and Yahoo, through the npm package doiuse-email (pinned in
tests/email/package-lock.json; .ci/run installs it). A feature that one of those clients does
not support fails the test unless it is on ALLOWED, with why it does no harm there. Skips
without node or the package, except under CI (CI=true), where it fails."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from render_email import sample_digests

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent / "email"
CLIENTS = ("gmail.*", "outlook.*", "apple-mail.*", "yahoo.*")
# caniemail's feature names, and why each is harmless where it is unsupported.
ALLOWED = {
    # In the one <style> of <head> only: the layout is inlined and reads without it (the
    # Chromium test strips every <style>); these only tighten mobile padding and set dark colours.
    "@media": "the mobile and dark-mode refinements in <head>; the inlined layout holds without them",
    "Attribute selector": "[data-ogsc], [data-ogsb], a[x-apple-data-detectors] in <head>, for the clients that set them",
    "Class selector": "selectors of the <head> rules above, also inlined where they carry layout",
    "Descendant combinator": "selectors of the <head> rules above",
    "Type selector": "a[x-apple-data-detectors] in <head>, for iOS only",
    "<body> element": "clients that replace <body> keep its content; its background is repeated on the wrapper",
    # The preheader is hidden by several properties at once; each client honours at least one
    # (font-size 1px, max-height 0, the background's colour, mso-hide for Outlook).
    "display:none": "preheader: also 1 px, max-height 0 and the background's colour",
    "opacity": "preheader: also display:none, 1 px, max-height 0",
    "overflow": "preheader: also display:none, 1 px, max-height 0",
    # Accessibility hints: a client that drops them gives screen readers what they had before.
    "role attribute": "role=presentation on layout tables; without it a table is read as a table",
    "aria-hidden attribute": "hides the picture and 'Read more' links that repeat the title's link",
}
_UNSUPPORTED = re.compile(r"`(.+?)` is not supported by `(.+?)`")


def _node_script() -> list[str] | None:
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "doiuse-email").is_dir():
        return None
    return [node, str(HERE / "caniemail.mjs"), f"--clients={','.join(CLIENTS)}"]


@pytest.fixture(scope="module")
def verdicts(sample_site, tmp_path_factory):
    script = _node_script()
    if script is None:
        reason = "node or doiuse-email is missing (npm ci --prefix tests/email)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    htmls = sample_digests(sample_site, tmp_path_factory.mktemp("caniemail"))
    done = subprocess.run([*script, *map(str, htmls.values())], capture_output=True, text=True, check=True, timeout=120)
    found = json.loads(done.stdout)
    return {name: found[str(html)] for name, html in htmls.items()}


def unsupported(verdict: dict) -> dict[str, set[str]]:
    features: dict[str, set[str]] = {}
    for error in verdict["errors"]:
        if match := _UNSUPPORTED.match(error):
            features.setdefault(match[1], set()).add(match[2])
        else:
            features.setdefault(error, set())
    return features


@pytest.mark.parametrize("name", ["english-daily", "khmer-daily", "english-weekly", "khmer-weekly",
                                  "english-empty", "khmer-empty"])
def test_no_feature_outside_the_allow_list_is_unsupported(verdicts, name):
    left = {feature: sorted(clients) for feature, clients in unsupported(verdicts[name]).items()
            if feature not in ALLOWED}
    assert not left, left


def test_the_check_sees_what_it_should(verdicts):
    # The Khmer underline offset (ignored by Gmail, Outlook and Yahoo) is gone, and the checker
    # does report what the digests use: its verdicts are not empty by accident.
    found = unsupported(verdicts["khmer-weekly"])
    assert "text-underline-offset" not in found
    assert {"@media", "role attribute"} <= set(found)
