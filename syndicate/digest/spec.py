"""What a digest list is (DigestSpec) and what producing one digest gave (DigestResult)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syndicate.config import Settings
from syndicate.model import Problem

Period = Literal["daily", "weekly"] | int  # an int is a custom length in seconds
DEFAULT_UNSUBSCRIBE = "{{unsubscribe_url}}"
_LIST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")  # goes into Message-ID and List-Id
_MERGE_TAG_UNSAFE = re.compile(r"[\t\r\n\"'<>&]")  # would break out of an href or a header
_URL_UNSAFE = re.compile(r"[\s\"'<>]")  # an https URL may carry & (escaped in HTML), never these


class DigestError(Exception):
    """A digest cannot be produced at all (bad spec, a window that has not closed yet)."""


@dataclass(frozen=True, slots=True)
class DigestSpec:
    """One mailing list's digest: whose posts, how often, and how the message is addressed.

    `period` is "daily", "weekly" or a custom length in seconds. A window ends at `cutoff`
    ("HH:MM") in `timezone` (None: the site's). `subject_template` is a Jinja string with
    `site`, `date` and `count` (None: the language's catalogue). `unsubscribe` is the ESP's
    merge tag, kept byte for byte, or an http(s) URL; `unsubscribe_mailto` a `mailto:` URL
    beside it in List-Unsubscribe. `postal_address` and `preferences_url` go in the footer.
    `subject_headline` leads the subject with the top story's title. `max_items` caps the posts
    shown in full; the rest are listed by title. `max_periods` bounds a window that reaches back
    to the list's last digest (after downtime) to that many periods. `late_grace` bounds how far
    before a window's start a late post may be dated and still be picked up (never further back
    than the list's first digest). `labels` overrides entries of the language's message catalogue.
    """

    list_id: str
    language: str
    period: Period = "daily"
    categories: tuple[str, ...] = ()
    cutoff: str = "06:00"
    timezone: str | None = None
    list_address: str = ""
    from_address: str = ""
    subject_template: str | None = None
    unsubscribe: str = DEFAULT_UNSUBSCRIBE
    unsubscribe_mailto: str = ""
    postal_address: str = ""
    preferences_url: str = ""
    subject_headline: bool = True
    send_empty: bool = False
    max_items: int = 20
    max_periods: int = 7
    late_grace: timedelta = timedelta(days=7)
    labels: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not _LIST_ID.fullmatch(self.list_id):
            raise DigestError(f"list id {self.list_id!r}: use letters, digits and hyphens")
        if self.period not in ("daily", "weekly") and not (
                isinstance(self.period, int) and not isinstance(self.period, bool) and self.period >= 60):
            raise DigestError(f"period {self.period!r}: expected \"daily\", \"weekly\" or a number of seconds >= 60")
        parse_cutoff(self.cutoff)
        if not (is_web_url(self.unsubscribe) or self.unsubscribe and not _MERGE_TAG_UNSAFE.search(self.unsubscribe)):
            raise DigestError(f"unsubscribe {self.unsubscribe!r}: an http(s) URL, or a merge tag without line breaks, "
                              "tabs, quotes, <, > or &")
        if self.unsubscribe_mailto and not (self.unsubscribe_mailto.startswith("mailto:") and "@" in self.unsubscribe_mailto
                                            and not _URL_UNSAFE.search(self.unsubscribe_mailto)):
            raise DigestError(f"unsubscribe_mailto {self.unsubscribe_mailto!r}: expected mailto:ADDRESS")
        if self.preferences_url and not is_web_url(self.preferences_url):
            raise DigestError(f"preferences_url {self.preferences_url!r}: expected an http(s) URL")
        if self.max_items < 0:
            raise DigestError(f"max_items {self.max_items}: must not be negative")
        if self.max_periods < 1:
            raise DigestError(f"max_periods {self.max_periods}: must be at least 1")
        if self.late_grace < timedelta(0):
            raise DigestError(f"late_grace {self.late_grace}: must not be negative")
        for address in (self.list_address, self.from_address):
            if "@" not in address:
                raise DigestError(f"{address!r} is not an email address")

    @classmethod
    def for_site(cls, settings: Settings, language: str, period: Period = "daily", **overrides: object) -> DigestSpec:
        """A spec with the defaults the CLI uses: list `<language>-<period>`, addresses on the
        site's host (`digest-<language>@host`, `newsroom@host`)."""
        host = site_host(settings)
        defaults: dict[str, object] = {
            "list_id": default_list_id(language, period),
            "list_address": f"digest-{language}@{host}",
            "from_address": f"newsroom@{host}",
        }
        defaults.update({k: v for k, v in overrides.items() if v is not None})
        return cls(language=language, period=period, **defaults)  # type: ignore[arg-type]

    @property
    def cutoff_time(self) -> time:
        return parse_cutoff(self.cutoff)

    def zone(self, settings: Settings) -> ZoneInfo:
        if self.timezone is None:
            return settings.timezone
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise DigestError(f"unknown time zone {self.timezone!r}") from exc


@dataclass(frozen=True, slots=True)
class DigestResult:
    paths: dict[str, Path]  # "html", "txt", "eml", "json"
    message_id: str
    subject: str
    window_start: datetime
    window_end: datetime
    post_ids: tuple[str, ...]
    written: tuple[Path, ...] = ()  # the paths whose bytes changed in this run
    repeated: bool = False  # the ledger already held this window: its posts were reused
    problems: tuple[Problem, ...] = ()


def default_list_id(language: str, period: Period) -> str:
    return f"{language}-{period_name(period)}"


def period_name(period: Period) -> str:
    """The period as a folder name: "daily", "weekly", or the custom length ("12h", "90m", "45s")."""
    if isinstance(period, str):
        return period
    for unit, seconds in (("d", 86400), ("h", 3600), ("m", 60)):
        if period % seconds == 0:
            return f"{period // seconds}{unit}"
    return f"{period}s"


def parse_cutoff(text: str) -> time:
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise DigestError(f"cutoff {text!r}: expected HH:MM") from exc


def is_web_url(text: str) -> bool:
    """An absolute http(s) URL that can stand in an href and between <> in a header."""
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not _URL_UNSAFE.search(text)


def site_host(settings: Settings) -> str:
    return urlsplit(settings.base_url).hostname or "localhost"
