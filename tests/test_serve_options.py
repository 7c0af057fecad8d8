"""`syndicate serve OUT --port N --bind ADDRESS`: the command listens where it is told, and says so."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT


def test_serve_listens_on_the_port_and_address_given(tmp_path: Path):
    (tmp_path / "feed.json").write_text('{"version": "https://jsonfeed.org/version/1.1"}', encoding="utf-8")
    with socket.socket() as probe:  # a port free right now
        probe.bind(("127.0.0.2", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "syndicate", "serve", str(tmp_path), "--port", str(port),
                               "--bind", "127.0.0.2"], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(PROJECT)})
    try:
        assert server.stdout.readline() == f"serving {tmp_path} at http://127.0.0.2:{port}/ (Ctrl-C stops)\n"
        conn = http.client.HTTPConnection("127.0.0.2", port, timeout=10)
        conn.request("GET", "/feed.json")
        assert conn.getresponse().status == 200
        conn.close()
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=20) == 0
    finally:
        server.kill()
        server.wait()
        server.stdout.close()
