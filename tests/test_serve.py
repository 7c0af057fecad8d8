"""`syndicate serve`: what a subscriber's reader gets from a built folder over HTTP on 127.0.0.1."""

from __future__ import annotations

import gzip
import http.client
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import pytest

from syndicate.config import load_settings
from syndicate.pipeline.build import build
from syndicate.subscribers.serve import content_type, make_server

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def out(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    build(load_settings(example_site), out, now=NOW, state_dir=tmp_path_factory.mktemp("state"))
    assert (out / "feed.xml").is_file() and (out / "index.html").is_file()
    return out


@pytest.fixture(scope="module")
def server(out: Path) -> Iterator[tuple[str, int]]:
    srv = make_server(out, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv.server_address[:2]
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)


def _get(server: tuple[str, int], path: str, method: str = "GET", **headers: str) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection(*server, timeout=10)
    try:
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_binds_to_localhost_by_default(out: Path):
    srv = make_server(out, port=0)
    try:
        assert srv.server_address[0] == "127.0.0.1"
    finally:
        srv.server_close()


@pytest.mark.parametrize("path, expected", [
    ("/feed.xml", "application/rss+xml; charset=utf-8"),
    ("/khmer/atom.xml", "application/atom+xml; charset=utf-8"),
    ("/english/feed.json", "application/feed+json"),
    ("/feeds.opml", "text/x-opml; charset=utf-8"),
    ("/khmer/index.html", "text/html; charset=utf-8"),
])
def test_each_format_has_its_content_type(server, out: Path, path: str, expected: str):
    status, headers, body = _get(server, path)
    assert status == 200
    assert headers["content-type"] == expected
    assert body == (out / path.lstrip("/")).read_bytes()


def test_archive_pages_are_typed_as_their_feeds():
    assert content_type("atom-archive-3.xml") == content_type("atom.xml") == "application/atom+xml; charset=utf-8"
    assert content_type("feed-archive-12.json") == "application/feed+json"


def test_a_conditional_get_answers_304_not_modified(server):
    status, headers, _ = _get(server, "/khmer/feed.xml")
    assert status == 200 and headers["etag"] and headers["last-modified"]
    status, again, body = _get(server, "/khmer/feed.xml", **{"If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"")
    assert again["etag"] == headers["etag"]
    status, _, body = _get(server, "/khmer/feed.xml", **{"If-Modified-Since": headers["last-modified"]})
    assert (status, body) == (304, b"")
    status, _, _ = _get(server, "/khmer/feed.xml", **{"If-None-Match": '"something-else"'})
    assert status == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)
    both = {"If-None-Match": '"other"', "If-Modified-Since": headers["last-modified"]}
    status, _, _ = _get(server, "/khmer/feed.xml", **both)
    assert status == 200


def test_gzip_when_asked_with_its_own_etag(server, out: Path):
    status, plain, _ = _get(server, "/atom.xml")
    status, headers, body = _get(server, "/atom.xml", **{"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["content-encoding"] == "gzip" and "Accept-Encoding" in headers["vary"]
    assert gzip.decompress(body) == (out / "atom.xml").read_bytes()
    assert headers["etag"] != plain["etag"]
    status, _, _ = _get(server, "/atom.xml", **{"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})
    assert status == 304
    _, refused, _ = _get(server, "/atom.xml", **{"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused


def test_head_has_the_headers_and_no_body(server):
    status, headers, body = _get(server, "/feed.json", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


def test_folders_serve_their_page_and_nothing_escapes_the_folder(server):
    status, headers, _ = _get(server, "/khmer")
    assert status == 301 and headers["location"] == "/khmer/"
    status, headers, body = _get(server, "/khmer/")
    assert status == 200 and headers["content-type"].startswith("text/html") and b'lang="km"' in body
    for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/no-such-feed.xml"):
        assert _get(server, path)[0] == 404, path


@pytest.fixture
def served_folder(tmp_path: Path) -> Iterator[tuple[Path, tuple[str, int]]]:
    """A small OUT with one real feed, one real folder, and links that lead out of it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for subscribers")
    out = tmp_path / "out"
    (out / "english").mkdir(parents=True)
    (out / "english" / "feed.xml").write_text("<rss/>")
    (out / "english" / "index.html").write_text("<html></html>")
    (out / "passwd.xml").symlink_to(outside / "secret.txt")
    (out / "elsewhere").symlink_to(outside, target_is_directory=True)
    (out / "latest.xml").symlink_to(out / "english" / "feed.xml")  # a link that stays inside is fine
    srv = make_server(out, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield out, srv.server_address[:2]
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)


def test_symlinks_never_lead_outside_the_folder(served_folder):
    _, server = served_folder
    assert _get(server, "/passwd.xml")[0] == 404
    assert _get(server, "/elsewhere/secret.txt")[0] == 404
    assert _get(server, "/elsewhere")[0] == 404
    status, _, body = _get(server, "/latest.xml")
    assert (status, body) == (200, b"<rss/>")


@pytest.mark.parametrize("path", ["/%2F%2Fevil.example/..", "//evil.example/..", "/%2F%2Fevil.example/../english"])
def test_a_folder_redirect_never_leaves_the_server(served_folder, path: str):
    _, server = served_folder
    status, headers, _ = _get(server, path)
    assert status == 301
    assert headers["location"] in ("/", "/english/"), headers["location"]


def test_a_request_cannot_add_headers_to_a_redirect(served_folder):
    _, server = served_folder
    status, headers, _ = _get(server, "/english%0d%0aSet-Cookie:%20injected=1/..")
    assert "set-cookie" not in headers
    assert status == 301 and headers["location"] == "/"


def test_a_name_too_long_for_the_file_system_is_not_found(served_folder):
    _, server = served_folder
    for path in ("/" + "a" * 300, "/english/" + quote("ក" * 100) + ".xml", "/" + "b" * 256 + "/feed.xml"):
        status, _, _ = _get(server, path)
        assert status == 404, path
    assert _get(server, "/english/feed.xml")[0] == 200  # and the server still answers


def test_verbose_logs_each_request_in_common_log_format(served_folder, caplog: pytest.LogCaptureFixture):
    _, server = served_folder
    with caplog.at_level(logging.INFO, logger="syndicate.subscribers.serve.access"):
        _get(server, "/english/feed.xml")
        _get(server, "/missing.xml", method="HEAD")
    lines = [r.getMessage() for r in caplog.records if r.name == "syndicate.subscribers.serve.access"]
    assert re.fullmatch(r'127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] '
                        r'"GET /english/feed\.xml HTTP/1\.1" 200 6', lines[0]), lines[0]
    assert lines[1].endswith('"HEAD /missing.xml HTTP/1.1" 404 -')


def test_the_server_queues_many_connections(out: Path):
    srv = make_server(out, "127.0.0.1", 0)
    try:
        assert srv.request_queue_size >= 128  # 50 clients at once overflowed a backlog of 5
    finally:
        srv.server_close()


@pytest.mark.parametrize("sent", [b"", b"GET /english/feed.xml HTTP/1.1\r\n"], ids=["nothing", "half a request"])
def test_a_silent_connection_is_closed_and_frees_its_thread(served_folder, sent: bytes):
    out, _ = served_folder
    srv = make_server(out, "127.0.0.1", 0)
    assert 0 < srv.idle_timeout <= 30
    srv.server_close()
    srv = make_server(out, "127.0.0.1", 0, idle_timeout=0.3)  # the same mechanism, without the wait
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with socket.create_connection(srv.server_address[:2], timeout=10) as client:
            client.sendall(sent)
            assert client.recv(1024) == b""  # closed by the server, not left to hold a thread
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def test_serve_v_prints_the_access_log_on_stderr(served_folder):
    out, _ = served_folder
    proc = subprocess.Popen([sys.executable, "-m", "syndicate", "serve", str(out), "--port", "0", "-v"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    try:
        port = int(re.search(r":(\d+)/", proc.stdout.readline()).group(1))
        assert _get(("127.0.0.1", port), "/english/feed.xml")[0] == 200
        line = proc.stderr.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert re.fullmatch(r'127\.0\.0\.1 - - \[.+\] "GET /english/feed\.xml HTTP/1\.1" 200 6\n', line), line


def test_a_request_for_a_file_beside_the_folder_is_refused(out: Path, tmp_path: Path):
    """The paths that climb out land on a file that exists, so only the guard can refuse them."""
    root = tmp_path / "public"
    shutil.copytree(out / "khmer", root)
    (tmp_path / "secret.txt").write_text("not for the web", encoding="utf-8")
    srv = make_server(root, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        address = srv.server_address[:2]
        assert _get(address, "/feed.json")[0] == 200
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/a/../../secret.txt", "/..%2fsecret.txt"):
            status, _, body = _get(address, path)
            assert (status, b"not for the web" in body) == (404, False), path
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)
