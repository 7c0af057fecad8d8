"""WebSub publishing (W3C Recommendation, https://www.w3.org/TR/websub/#publishing): after a build,
tell each hub which feeds changed, so subscribers get new stories within seconds.

Only feeds the build actually rewrote are announced (BuildReport.files_written), so a build that
changed nothing pings nothing. A failed ping never fails the build: it is retried a few times with
growing pauses, then reported as a warning. Feeds carry their hubs as <link rel="hub"> (RSS, Atom)
and `hubs` (JSON Feed); see emit/.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from syndicate import __version__
from syndicate.config import Settings
from syndicate.emit import FORMATS
from syndicate.model import BuildReport, Problem

log = logging.getLogger(__name__)

ATTEMPTS = 3
BACKOFF = 1.0  # seconds before the second attempt; doubled before each later one
MAX_RETRY_AFTER = 30.0  # the longest a hub's Retry-After may hold a build up
TIMEOUT = 10.0
PARALLEL = 4  # pings in flight at once: a first build announces every feed


def notify_hubs(settings: Settings, report: BuildReport, **options) -> tuple[int, list[Problem]]:
    """Ping every configured hub for each feed the build rewrote: (topics announced, problems)."""
    topics = changed_topics(settings, report.files_written)
    if not settings.hubs or not topics:
        return 0, []
    return len(topics), publish(settings.hubs, topics, **options)


def changed_topics(settings: Settings, files_written: Iterable[str]) -> list[str]:
    """The URLs of the subscription feeds among the files a build wrote (not pages, not archives)."""
    names = {name for name, _, _ in FORMATS.values()}
    return [f"{settings.feed_base_url}/{rel}" for rel in files_written if rel.rpartition("/")[2] in names]


def publish(hubs: Sequence[str], topics: Sequence[str], *, attempts: int = ATTEMPTS, backoff: float = BACKOFF,
            timeout: float = TIMEOUT, sleep: Callable[[float], None] = time.sleep) -> list[Problem]:
    """One `hub.mode=publish` request per hub and topic; a warning for each the hub never accepted."""
    pairs = [(hub, topic) for hub in hubs for topic in topics]
    if not pairs:
        return []

    def ping(pair: tuple[str, str]) -> Problem | None:
        hub, topic = pair
        failure = _ping(hub, topic, attempts, backoff, timeout, sleep)
        if failure is None:
            log.info("told %s that %s changed", hub, topic)
            return None
        return Problem(topic, f"the WebSub hub {hub} was not told of the change: {failure}",
                       field="hub", severity="warning")

    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(pairs))) as pool:
        return [problem for problem in pool.map(ping, pairs) if problem is not None]


def _ping(hub: str, topic: str, attempts: int, backoff: float, timeout: float,
          sleep: Callable[[float], None]) -> str | None:
    """None once the hub accepts (any 2xx); else why it did not, after the last attempt."""
    body = urlencode({"hub.mode": "publish", "hub.url": topic}).encode("ascii")
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": f"syndicate/{__version__}"}
    pause = backoff
    for attempt in range(1, attempts + 1):
        wait = pause
        try:
            with urlopen(Request(hub, data=body, headers=headers, method="POST"), timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return None
                failure = f"HTTP {response.status}"
        except HTTPError as exc:
            failure = f"HTTP {exc.code}"
            if exc.code < 500 and exc.code != 429:
                return failure  # the hub refused the request itself: asking again will not help
            wait = max(pause, _retry_after(exc.headers.get("Retry-After")))
        except (URLError, OSError) as exc:
            failure = str(getattr(exc, "reason", exc))
        if attempt < attempts:
            log.info("hub %s: %s; asking again in %.1fs", hub, failure, wait)
            sleep(wait)
            pause *= 2
    return f"{failure} ({attempts} attempts)"


def _retry_after(value: str | None) -> float:
    """A Retry-After given in seconds, capped; 0 when absent or given as a date."""
    try:
        return min(float(value), MAX_RETRY_AFTER) if value else 0.0
    except ValueError:
        return 0.0
