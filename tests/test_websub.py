"""WebSub: feeds advertise the hub, and after a build the hub hears of exactly the feeds that changed.

The hub is a small HTTP server on 127.0.0.1 that records each request and answers from a script.
"""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from feedcheck import all_outputs

from syndicate.cli import main
from syndicate.emit import FORMATS
from syndicate.model import BuildReport
from syndicate.subscribers.websub import changed_topics, notify_hubs, publish

NOW = "2026-11-25T00:00:00+00:00"
FEED_NAMES = {name for name, _, _ in FORMATS.values()}


class RecordingHub:
    """Records every POST; answers with the next scripted status (then 204 for ever)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: list[tuple[int, dict[str, str]]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("ascii")
                hub.requests.append({"type": self.headers.get("Content-Type"), "form": parse_qs(body)})
                status, headers = hub.script.pop(0) if hub.script else (204, {})
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"

    @property
    def topics(self) -> list[str]:
        return [url for request in self.requests for url in request["form"]["hub.url"]]


@pytest.fixture
def hub() -> Iterator[RecordingHub]:
    hub = RecordingHub()
    thread = threading.Thread(target=hub.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield hub
    hub.server.shutdown()
    hub.server.server_close()
    thread.join(timeout=5)


def _feed_files(outputs: dict[str, bytes]) -> set[str]:
    return {rel for rel in outputs if rel.rpartition("/")[2] in FEED_NAMES}


def test_the_hub_hears_once_of_each_changed_feed_and_never_of_unchanged_ones(
        sample_site: Path, tmp_path: Path, hub: RecordingHub, capsys: pytest.CaptureFixture):
    site, out, state = tmp_path / "site", tmp_path / "out", tmp_path / "state"
    shutil.copytree(sample_site, site)
    config = tmp_path / "hub.toml"
    config.write_text(f'[feeds]\nhub = "{hub.url}"\n', encoding="utf-8")
    base = "https://projects.voanews.com/cambodia-election-2018"
    args = ["build", str(site), "--config", str(config), "--out", str(out), "--state", str(state), "--now", NOW, "-q"]

    assert main(args) == 0  # first build: every feed is new
    first = all_outputs(out)
    assert all(r["form"]["hub.mode"] == ["publish"] for r in hub.requests)
    assert all(r["type"] == "application/x-www-form-urlencoded" for r in hub.requests)
    assert Counter(hub.topics) == Counter(f"{base}/{rel}" for rel in _feed_files(first))

    hub.requests.clear()
    assert main(args) == 0  # nothing changed
    assert hub.requests == []

    # One Khmer story edited: only the feeds that carry it change, and only they are announced.
    story = next((site / "khmer" / "_posts").glob("*hun-sen*.md"))
    story.write_text(story.read_text(encoding="utf-8") + "\nបន្ថែម។\n", encoding="utf-8")
    assert main(args) == 0
    second = all_outputs(out)
    changed = {rel for rel in _feed_files(second) if first.get(rel) != second[rel]}
    assert changed and all(rel.startswith("khmer/") or "/" not in rel for rel in changed)
    assert Counter(hub.topics) == Counter(f"{base}/{rel}" for rel in changed)

    hub.requests.clear()
    story.write_text(story.read_text(encoding="utf-8") + "\nម្ដងទៀត។\n", encoding="utf-8")
    assert main(args[:-1] + ["--no-ping", "-q"]) == 0
    assert hub.requests == [], "--no-ping must not ping"
    capsys.readouterr()


def test_every_feed_carries_the_hub_and_stylesheet_links_when_configured(sample_site: Path, tmp_path: Path):
    from feedcheck import load_json_feed, parse_xml_feed
    from lxml import etree

    config = tmp_path / "links.toml"
    config.write_text('[feeds]\nhub = ["https://hub.example.org/", "https://second.example.org/hub"]\n'
                      'stylesheet = true\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(sample_site), "--config", str(config), "--out", str(out),
                 "--state", str(tmp_path / "state"), "--now", NOW, "-q", "--no-ping"]) == 0
    hubs = ["https://hub.example.org/", "https://second.example.org/hub"]
    feeds = sorted(rel for rel in _feed_files(all_outputs(out)))
    assert len(feeds) > 100
    for rel in feeds:
        path = out / rel
        if rel.endswith(".json"):
            assert [h["url"] for h in load_json_feed(path)["hubs"]] == hubs, rel
            assert all(h["type"] == "WebSub" for h in load_json_feed(path)["hubs"])
            continue
        links = parse_xml_feed(path).feed.links
        assert [l.href for l in links if l.rel == "hub"] == hubs, rel
        assert [l.href for l in links if l.rel == "self"], rel  # WebSub needs the topic's self link too
        tree = etree.parse(str(path))
        sheets = [pi for pi in tree.getroot().itersiblings(preceding=True) if pi.target == "xml-stylesheet"]
        assert len(sheets) == 1, rel
        href = sheets[0].get("href")
        assert sheets[0].get("type") == "text/xsl"
        assert (path.parent / href).resolve().is_file(), f"{rel}: {href} is not written"


def test_failed_pings_are_retried_with_growing_pauses(hub: RecordingHub):
    hub.script = [(503, {}), (500, {})]  # then 204
    pauses: list[float] = []
    problems = publish([hub.url], ["https://feeds.example.org/feed.xml"], backoff=0.5, sleep=pauses.append)
    assert problems == []
    assert len(hub.requests) == 3 and pauses == [0.5, 1.0]


def test_a_busy_hub_is_given_the_time_it_asks_for(hub: RecordingHub):
    hub.script = [(429, {"Retry-After": "7"})]
    pauses: list[float] = []
    assert publish([hub.url], ["https://feeds.example.org/feed.xml"], backoff=0.5, sleep=pauses.append) == []
    assert pauses == [7.0]


def test_a_refusing_hub_is_not_asked_again_and_the_build_gets_a_warning(hub: RecordingHub):
    hub.script = [(400, {})]
    problems = publish([hub.url], ["https://feeds.example.org/khmer/atom.xml"], sleep=lambda s: None)
    assert len(hub.requests) == 1
    assert [p.severity for p in problems] == ["warning"]
    assert problems[0].source == "https://feeds.example.org/khmer/atom.xml" and "HTTP 400" in problems[0].message


def test_an_unreachable_hub_gives_up_after_the_last_attempt(hub: RecordingHub):
    hub.server.shutdown()
    hub.server.server_close()  # nothing listens on its port any more
    pauses: list[float] = []
    problems = publish([hub.url], ["https://feeds.example.org/feed.json"], attempts=3, sleep=pauses.append)
    assert len(pauses) == 2 and len(problems) == 1 and "3 attempts" in problems[0].message


def test_only_subscription_feeds_are_topics(sample_site: Path):
    from syndicate.config import load_settings

    settings = load_settings(sample_site)
    written = ("feed.xml", "khmer/atom.xml", "khmer/index.html", "feeds.opml", "english/feed-archive-2.xml",
               "english/video/feed.json", "khmer/feed.xsl")
    assert changed_topics(settings, written) == [f"{settings.feed_base_url}/{rel}"
                                                 for rel in ("feed.xml", "khmer/atom.xml", "english/video/feed.json")]
    assert notify_hubs(settings, BuildReport(files_written=written)) == (0, [])  # no hub configured
