"""Load on `syndicate serve`: N requests from C concurrent clients, each on a new connection (as
feed readers poll), on 127.0.0.1 only. Prints p50, p99 and the slowest request, and how many failed.

  .venv/bin/python benchmarks/serve_load.py                     # 5,000 requests, 50 at a time
  .venv/bin/python benchmarks/serve_load.py --requests 20000 --concurrency 200

The server runs in its own process (`python -m syndicate serve`), from whatever `syndicate`
PYTHONPATH selects, so two versions can be compared on one machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FEED_BYTES = 40_000  # about a 20-item feed with summaries


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds one request may take before it counts as failed")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        (out / "feed.xml").write_text("<rss>" + "x" * FEED_BYTES + "</rss>")
        server = subprocess.Popen([sys.executable, "-m", "syndicate", "serve", str(out), "--port", "0"],
                                  stdout=subprocess.PIPE, text=True, env=os.environ)
        try:
            port = int(re.search(r":(\d+)/", server.stdout.readline()).group(1))
            overflows = _listen_overflows()
            latencies, failures = _load(port, args.requests, args.concurrency, args.timeout)
            overflows = _listen_overflows() - overflows
        finally:
            server.terminate()
            server.wait(timeout=10)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else float("nan")
    print(f"{args.requests} requests, {args.concurrency} concurrent: "
          f"p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
          f"slowest {latencies[-1] * 1000:.1f} ms, failed {failures}, listen queue overflows {overflows}")
    return 0


def _listen_overflows() -> int:
    """The kernel's count of connections dropped because a listen queue was full (Linux; this
    machine as a whole, so other servers' overflows count too). -1 where it cannot be read."""
    try:
        lines = [line.split() for line in Path("/proc/net/netstat").read_text().splitlines() if line.startswith("TcpExt:")]
        return int(dict(zip(lines[0], lines[1], strict=True))["ListenOverflows"])
    except (OSError, KeyError, IndexError, ValueError):
        return -1


def _load(port: int, requests: int, concurrency: int, timeout: float) -> tuple[list[float], int]:
    """asyncio clients: one thread opens all C connections at once, as C separate readers would."""
    return asyncio.run(_clients(port, requests, concurrency, timeout))


async def _clients(port: int, requests: int, concurrency: int, timeout: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    failures = 0
    left = iter(range(requests))

    async def one() -> bool:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(b"GET /feed.xml HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            await writer.drain()
            response = await reader.read()
            return response.startswith(b"HTTP/1.1 200") and len(response) > FEED_BYTES
        finally:
            writer.close()

    async def client() -> None:
        nonlocal failures
        while next(left, None) is not None:
            start = time.perf_counter()
            try:
                ok = await asyncio.wait_for(one(), timeout)
            except (OSError, asyncio.TimeoutError):
                ok = False
            if ok:
                latencies.append(time.perf_counter() - start)
            else:
                failures += 1

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, failures


if __name__ == "__main__":
    sys.exit(main())
