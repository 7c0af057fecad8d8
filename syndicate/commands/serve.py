"""Serve a built output folder on this machine, as subscribers will fetch it: each format's
Content-Type, ETag and Last-Modified with 304 Not Modified, and gzip. For previews and tests only.

With -v, every request is logged to stderr in common log format.

example:
  syndicate build examples/site --out out && syndicate serve out
  syndicate serve /tmp/out --port 8080 -v
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from syndicate.subscribers.serve import DEFAULT_HOST, DEFAULT_PORT, access_log, make_server


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", type=Path, metavar="OUT", help="the output folder of `syndicate build`")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"port to listen on; 0 picks a free one (default: {DEFAULT_PORT})")
    p.add_argument("--bind", default=DEFAULT_HOST, metavar="ADDRESS",
                   help=f"address to listen on (default: {DEFAULT_HOST}, this machine only)")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request (common log format) to stderr")


def run(args: argparse.Namespace) -> int:
    if not args.out.is_dir():
        print(f"error: {args.out}: not a folder", file=sys.stderr)
        return 2
    try:
        server = make_server(args.out, args.bind, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.bind}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if args.verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))  # the line is already a log format
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"serving {args.out} at http://{shown}:{port}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
