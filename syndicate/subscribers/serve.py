"""A local preview of OUT as subscribers fetch it: each format's Content-Type, ETag and
Last-Modified with 304 Not Modified, and gzip when the client asks for it.

For testing, not for production: it binds to 127.0.0.1 unless told otherwise, serves only files
inside OUT (after following symlinks), never lists folders, and asks clients to revalidate every
time (Cache-Control: no-cache).
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import logging
import mimetypes
import socket
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from syndicate import __version__
from syndicate.emit import FORMATS
from syndicate.subscribers.archive import feed_file_of
from syndicate.system.output import UnsafePath, confined

log = logging.getLogger(__name__)
access_log = logging.getLogger("syndicate.subscribers.serve.access")  # common log format, one line a request

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
LISTEN_BACKLOG = 1024  # connections the kernel queues before accept(); 5 overflows at 50 clients
IDLE_TIMEOUT = 10.0  # seconds a connection may sit silent (mid-request or kept alive) before closing
_TYPES_BY_SUFFIX = {
    ".html": "text/html; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",  # the type every XSLT-capable browser accepts for a stylesheet
    ".css": "text/css; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json",
}


def content_type(name: str) -> str:
    """The Content-Type for a file in OUT, by name: feeds and their archive pages by format."""
    feed_name = feed_file_of(name) or name
    for file_name, mime, _ in FORMATS.values():
        if feed_name == file_name:
            return mime if mime.endswith("json") else f"{mime}; charset=utf-8"  # JSON is UTF-8 by definition
    suffix = Path(name).suffix.lower()
    return _TYPES_BY_SUFFIX.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def make_server(root: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                idle_timeout: float = IDLE_TIMEOUT) -> PreviewServer:
    """A server bound to host:port (port 0: any free port); call serve_forever() on it."""
    return PreviewServer(Path(root), (host, port), idle_timeout)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, root: Path, address: tuple[str, int], idle_timeout: float = IDLE_TIMEOUT):
        self.root = root
        self.idle_timeout = idle_timeout
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = f"syndicate-serve/{__version__}"
    protocol_version = "HTTP/1.1"
    _body_bytes: int | str = "-"

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout  # a silent client frees its thread instead of holding it forever
        super().setup()

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        url_path = unquote(urlsplit(self.path).path)
        try:
            target = _served_path(self.server.root, url_path)
            if target is not None and target.is_dir():
                if not url_path.endswith("/"):  # so the page's relative links resolve inside the folder
                    return self._redirect(target)
                target = _served_path(self.server.root, url_path + "index.html")
            if target is None or not target.is_file():
                return self._not_found(send_body)
            data = target.read_bytes()
            mtime = int(target.stat().st_mtime)
        except OSError:  # a name too long for the file system, a file unreadable or gone meanwhile
            return self._not_found(send_body)
        ctype = content_type(target.name)
        zipped = _compressible(ctype) and _accepts_gzip(self.headers.get("Accept-Encoding", ""))
        # One strong tag per representation: the gzipped bytes are not the plain ones.
        etag = f'"{hashlib.sha256(data).hexdigest()[:32]}{"-gzip" if zipped else ""}"'
        headers = {"ETag": etag, "Last-Modified": email.utils.formatdate(mtime, usegmt=True),
                   "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
        if _not_modified(self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), etag, mtime):
            return self._send(HTTPStatus.NOT_MODIFIED, headers, b"", send_body)
        body = gzip.compress(data, mtime=0) if zipped else data
        headers["Content-Type"] = ctype
        if zipped:
            headers["Content-Encoding"] = "gzip"
        self._send(HTTPStatus.OK, headers, body, send_body)

    def _redirect(self, folder: Path) -> None:
        # Built from the folder found, never echoed from the request: a request path cannot make
        # the Location leave this server ("//host") or carry its own header lines (CR LF).
        relative = folder.relative_to(self.server.root.resolve()).as_posix()
        location = "/" if relative == "." else "/" + quote(relative) + "/"
        self._send(HTTPStatus.MOVED_PERMANENTLY, {"Location": location}, b"", True)

    def _not_found(self, send_body: bool) -> None:
        self._send(HTTPStatus.NOT_FOUND, {"Content-Type": "text/plain; charset=utf-8"}, b"404 Not Found\n", send_body)

    def _send(self, status: HTTPStatus, headers: dict[str, str], body: bytes, send_body: bool) -> None:
        self._body_bytes = len(body) if send_body and body else "-"
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line in common log format: host ident user [time] "request line" status bytes."""
        if access_log.isEnabledFor(logging.INFO):
            when = time.strftime("%d/%b/%Y:%H:%M:%S %z", time.localtime())
            status = int(code) if isinstance(code, int) else code
            access_log.info('%s - - [%s] "%s" %s %s', self.client_address[0], when, _printable(self.requestline),
                            status, self._body_bytes if size == "-" else size)
        self._body_bytes = "-"

    def log_message(self, format: str, *args: object) -> None:
        log.info("%s %s", self.address_string(), format % args)


def _printable(request_line: str) -> str:
    """The request line as one safe log field: no quote ends it, no control character reaches a terminal."""
    return "".join(c if c.isprintable() and c not in '"\\' else f"\\x{ord(c):02x}" for c in request_line)


def _served_path(root: Path, url_path: str) -> Path | None:
    """The file or folder `url_path` names inside `root`, symlinks followed; None when it is
    elsewhere. Comparing resolved paths is what keeps a link in OUT from reaching /etc/passwd."""
    try:
        target = confined(root, url_path.lstrip("/"))
    except UnsafePath:
        return None
    real_root = root.resolve()
    real = target.resolve()
    return real if real == real_root or real_root in real.parents else None


def _not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str, mtime: int) -> bool:
    """RFC 9110 §13.1: If-None-Match (weak comparison) wins; If-Modified-Since only without it."""
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if if_modified_since:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and mtime <= since.timestamp()
    return False


def _accepts_gzip(accept_encoding: str) -> bool:
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


def _compressible(ctype: str) -> bool:
    return ctype.startswith("text/") or "xml" in ctype or "json" in ctype
