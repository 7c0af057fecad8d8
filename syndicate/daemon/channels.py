"""Channel definitions: `feeds/*.toml`, one file per channel, loaded into frozen specs.

A channel file holds exactly one table: `[feed]` (which feed files to rebuild, and how often) or
`[digest]` (one mailing list's digest: what it carries, when it is sent, and how it is delivered).
The file name without `.toml` is the channel's id: its job id in the daemon and in `status`.
Everything is checked here, before the daemon starts: a bad file raises ConfigError naming the
file, the key and the reason. docs/daemon.md documents every key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syndicate.config import ConfigError, Settings
from syndicate.daemon.timespec import cron_trigger, format_duration, parse_duration, shortest_gap
from syndicate.digest.spec import DigestError, DigestSpec
from syndicate.emit import FORMATS

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

DEFAULT_EVERY = 15 * 60.0  # seconds between feed rebuilds when nothing says otherwise
REDELIVER_EVERY = 10 * 60.0  # seconds between retries of digests the mail server did not take
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")  # also a digest's default list id, which goes into Message-IDs


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a job fires: every `every` seconds, or at the times of a cron expression."""

    every: float | None  # seconds; None when `cron` is set
    cron: str | None  # 5 fields (minute hour day month weekday), or 6 with seconds first
    timezone: ZoneInfo

    def trigger(self) -> BaseTrigger:
        if self.cron is not None:
            return cron_trigger(self.cron, self.timezone)
        from apscheduler.triggers.interval import IntervalTrigger  # loaded when the scheduler starts

        return IntervalTrigger(seconds=self.every, timezone=self.timezone)

    def __str__(self) -> str:
        return f"cron {self.cron!r} {self.timezone.key}" if self.cron else f"every {format_duration(self.every)}"


@dataclass(frozen=True, slots=True)
class FeedChannel:
    id: str
    source: str  # the file it came from, for messages
    schedule: Schedule
    misfire_grace: float  # seconds a late run may still start
    language: str | None = None  # None: every language and the site-wide feed
    categories: tuple[str, ...] = ()  # casefolded; empty: every category gets a feed
    formats: tuple[str, ...] = tuple(FORMATS)
    limit: int | None = None  # None: the site's item limit

    kind = "feed"


@dataclass(frozen=True, slots=True)
class Smtp:
    host: str
    port: int = 587
    tls: Literal["starttls", "none"] = "starttls"
    username_env: str | None = None  # names of environment variables, never the secrets
    password_env: str | None = None
    attempts: int = 4
    backoff: float = 5.0  # seconds before the second attempt; doubles each time
    timeout: float = 30.0


@dataclass(frozen=True, slots=True)
class DigestChannel:
    id: str
    source: str
    schedule: Schedule  # always cron: each fire time is the end of one digest's window
    misfire_grace: float
    spec: DigestSpec  # what the digest carries and how it is addressed
    smtp: Smtp | None = None  # None: delivery stops at the outbox

    kind = "digest"

    @property
    def list_id(self) -> str:
        return self.spec.list_id


@dataclass(frozen=True, slots=True)
class Redelivery:
    """Not a file: the daemon's own job that retries digests left unsent for lists with a mail
    server, so an outage at 06:00 Monday does not hold a weekly digest until the next Monday."""

    schedule: Schedule = Schedule(REDELIVER_EVERY, None, ZoneInfo("UTC"))
    misfire_grace: float = REDELIVER_EVERY
    id = "redeliver"
    kind = "redeliver"


Channel = FeedChannel | DigestChannel | Redelivery


def default_channels(settings: Settings) -> tuple[Channel, ...]:
    """What `run` does on a site with no channel definitions: every feed, every 15 minutes."""
    return (FeedChannel("feeds", "(default)", Schedule(DEFAULT_EVERY, None, settings.timezone), DEFAULT_EVERY),)


def find_feeds_dir(explicit: Path | None, cwd: Path) -> Path | None:
    """`--feeds DIR` when given (it must exist), else ./feeds when there is one, else None."""
    if explicit is not None:
        if not explicit.is_dir():
            raise ConfigError(f"{explicit}: --feeds: not a folder")
        return explicit
    local = cwd / "feeds"
    return local if local.is_dir() else None


def load_channels(folder: Path | None, settings: Settings) -> tuple[Channel, ...]:
    """Every channel in `folder`, sorted by id; the defaults when `folder` is None."""
    if folder is None:
        return default_channels(settings)
    files = sorted(Path(folder).glob("*.toml"))
    if not files:
        raise ConfigError(f"{folder}: no channel files (*.toml); remove the folder or add one")
    languages = _site_languages(settings)
    channels = tuple(_load_file(path, settings, languages) for path in files)
    _check_together(channels)
    if any(isinstance(ch, DigestChannel) and ch.smtp for ch in channels):
        channels += (Redelivery(),)
    return channels


def _load_file(path: Path, settings: Settings, languages: dict[str, str]) -> Channel:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    cid = path.stem
    if not _ID.fullmatch(cid):
        raise ConfigError(f"{path}: the file name must be a lower-case id (letters, digits, hyphens) and end in .toml")
    if cid == Redelivery.id:
        raise ConfigError(f"{path}: {cid!r} is the daemon's own job id; name the file otherwise")
    kinds = [k for k in ("feed", "digest") if k in data]
    unknown = set(data) - {"feed", "digest"}
    if unknown:
        raise ConfigError(f"{path}: {sorted(unknown)[0]}: unknown table; a channel file holds [feed] or [digest]")
    if len(kinds) != 1:
        raise ConfigError(f"{path}: a channel file holds exactly one table, [feed] or [digest]; found {len(kinds)}")
    table = _Table(data[kinds[0]], path, kinds[0])
    if kinds[0] == "feed":
        return _feed(cid, table, settings, languages)
    return _digest(cid, table, settings, languages)


def _feed(cid: str, t: _Table, settings: Settings, languages: dict[str, str]) -> FeedChannel:
    tz = t.zone("timezone", settings.timezone)
    if "every" in t and "cron" in t:
        raise t.error("cron", "set either every or cron, not both")
    cron = t.cron("cron", tz) if "cron" in t else None
    every = None if cron else t.duration("every", DEFAULT_EVERY)
    formats = tuple(t.strings("formats", list(FORMATS)))
    for fmt in formats:
        if fmt not in FORMATS:
            raise t.error("formats", f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    if not formats:
        raise t.error("formats", "name at least one format")
    channel = FeedChannel(
        id=cid, source=str(t.path), schedule=Schedule(every, cron, tz),
        misfire_grace=t.duration("misfire_grace", every or DEFAULT_EVERY),
        language=t.language("language", languages) if "language" in t else None,
        categories=tuple(c.casefold() for c in t.strings("categories", [])),
        formats=formats, limit=t.whole("limit") if "limit" in t else None,
    )
    t.no_other_keys()
    return channel


def _digest(cid: str, t: _Table, settings: Settings, languages: dict[str, str]) -> DigestChannel:
    tz = t.zone("timezone", settings.timezone)
    for key in ("schedule", "language", "list_address", "from_address"):
        if key not in t:
            raise t.error(key, "required")
    fields: dict[str, Any] = {
        "list_id": t.string("list_id", cid), "language": t.language("language", languages),
        "period": _period(t), "categories": tuple(c.casefold() for c in t.strings("categories", [])),
        "timezone": tz.key, "list_address": t.address("list_address"), "from_address": t.address("from_address"),
        "send_empty": t.boolean("send_empty", False),
    }
    for key, field in (("subject", "subject_template"), ("unsubscribe", "unsubscribe"),
                       ("unsubscribe_mailto", "unsubscribe_mailto"), ("postal_address", "postal_address"),
                       ("preferences_url", "preferences_url")):
        if key in t:
            fields[field] = t.string(key)
    if "subject_headline" in t:
        fields["subject_headline"] = t.boolean("subject_headline", True)
    if "max_items" in t:
        fields["max_items"] = t.whole("max_items", minimum=0)
    if "max_periods" in t:
        fields["max_periods"] = t.whole("max_periods")
    if "late_grace" in t:
        fields["late_grace"] = timedelta(seconds=t.duration("late_grace", None, zero=True))
    if "labels" in t:
        labels = t.sub("labels")
        fields["labels"] = tuple((key, labels.string(key)) for key in sorted(labels.data))
    try:
        spec = DigestSpec(**fields)
    except DigestError as exc:
        raise t.error(_digest_key(str(exc)), str(exc)) from None
    schedule = Schedule(None, t.cron("schedule", tz), tz)
    if shortest_gap(schedule.trigger()) < timedelta(minutes=1):
        # Digest files are named by the minute: two in one minute would overwrite each other.
        raise t.error("schedule", f"{schedule.cron!r} fires more than once a minute; a digest list can "
                                  "send at most that often")
    channel = DigestChannel(
        id=cid, source=str(t.path), schedule=schedule,
        misfire_grace=t.duration("misfire_grace", 3600.0), spec=spec,
        smtp=_smtp(t.sub("delivery")) if "delivery" in t else None,
    )
    t.no_other_keys()
    return channel


def _period(t: _Table) -> str | int:
    period = t.get("period", "daily")
    if period in ("daily", "weekly"):
        return period
    seconds = t.duration("period", None)
    if seconds != int(seconds) or seconds < 60:
        raise t.error("period", f"expected \"daily\", \"weekly\" or whole seconds of at least 60, got {period!r}")
    return int(seconds)


def _digest_key(message: str) -> str:
    """The channel key a DigestError is about: DigestSpec names the field first."""
    first = message.split(" ", 1)[0]
    return {"list": "list_id", "unsubscribe": "unsubscribe"}.get(first, first if first.isidentifier() else "digest")


def _smtp(t: _Table) -> Smtp | None:
    if "host" not in t:
        t.no_other_keys()  # an empty [digest.delivery] means outbox only
        return None
    tls = t.get("tls", "starttls")
    if tls not in ("starttls", "none"):
        raise t.error("tls", f"expected \"starttls\" or \"none\", got {tls!r}")
    user, password = t.env_name("username_env"), t.env_name("password_env")
    if (user is None) != (password is None):
        raise t.error("password_env" if user else "username_env", "set both username_env and password_env, or neither")
    host = t.string("host")
    if user and tls == "none" and host not in ("127.0.0.1", "::1", "localhost"):
        raise t.error("tls", "a login over an unencrypted connection would expose the password; use \"starttls\"")
    smtp = Smtp(host=host, port=t.whole("port", 587), tls=tls, username_env=user, password_env=password,
                attempts=t.whole("attempts", 4), backoff=t.duration("backoff", 5.0, zero=True),
                timeout=t.duration("timeout", 30.0))
    t.no_other_keys()
    return smtp


def check_environment(channels: tuple[Channel, ...], environ: dict[str, str]) -> None:
    """SMTP logins come from the environment; a missing variable should stop the start, not a send."""
    for ch in channels:
        smtp = getattr(ch, "smtp", None)
        for key in ("username_env", "password_env"):
            name = getattr(smtp, key, None)
            if name and not environ.get(name):
                raise ConfigError(f"{ch.source}: digest.delivery.{key}: environment variable {name} is not set")


def delivery_warnings(channels: tuple[Channel, ...]) -> list[str]:
    """What a sender should fix before mailing: CAN-SPAM and every ESP want a postal address in
    each commercial email, and an SMTP list has no ESP to add one."""
    return [f"{ch.source}: digest.postal_address is not set, but this list sends over SMTP: the law in many "
            "countries (CAN-SPAM) and every email service want the sender's postal address in each email"
            for ch in channels if isinstance(ch, DigestChannel) and ch.smtp is not None and not ch.spec.postal_address]


def _check_together(channels: tuple[Channel, ...]) -> None:
    """Rules across files: two digests never share a ledger key, two feed channels never write one file."""
    lists: dict[str, Channel] = {}
    feeds: list[FeedChannel] = []
    for ch in channels:
        if isinstance(ch, DigestChannel):
            if ch.list_id in lists:
                raise ConfigError(f"{ch.source}: digest.list_id: {ch.list_id!r} is also the list of "
                                  f"{lists[ch.list_id].source}")
            lists[ch.list_id] = ch
            continue
        for other in feeds:
            if _overlap(ch, other):
                raise ConfigError(
                    f"{ch.source}: feed.language: writes the same {_overlap(ch, other)} files as {other.source}; "
                    f"give each feed channel its own language or formats")
        feeds.append(ch)


def _overlap(a: FeedChannel, b: FeedChannel) -> str:
    """The first format two feed channels would both write for a shared language, or ''."""
    if a.language is not None and b.language is not None and a.language != b.language:
        return ""
    return next((f for f in a.formats if f in b.formats), "")


def _site_languages(settings: Settings) -> dict[str, str]:
    """Language keys a channel may name, casefolded, each to the site's own spelling: configured
    languages and top-level folders holding _posts (the collector's rule for a post's language)."""
    found = {key.casefold(): key for key in settings.languages}
    for child in settings.site_dir.iterdir() if settings.site_dir.is_dir() else ():
        if (child / "_posts").is_dir():
            found.setdefault(child.name.casefold(), child.name.casefold())
    return found


class _Table:
    """One table of a channel file; every read names file and key when the value is wrong."""

    def __init__(self, data: object, path: Path, where: str):
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: {where}: expected a table")
        self.data, self.path, self.where = data, path, where
        self.read: set[str] = set()

    def __contains__(self, key: str) -> bool:
        return key in self.data

    def error(self, key: str, reason: str) -> ConfigError:
        return ConfigError(f"{self.path}: {self.where}.{key}: {reason}")

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return self.data.get(key, default)

    def no_other_keys(self) -> None:
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            raise self.error(unknown[0], "unknown key (docs/daemon.md lists every key)")

    def string(self, key: str, default: str | None = None) -> str:
        value = self.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty string, got {value!r}")
        return value

    def strings(self, key: str, default: list[str]) -> list[str]:
        value = self.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(key, f"expected a list of strings, got {value!r}")
        return value

    def whole(self, key: str, default: int | None = None, minimum: int = 1) -> int:
        value = self.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.error(key, f"expected a whole number of at least {minimum}, got {value!r}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {value!r}")
        return value

    def duration(self, key: str, default: float | None, zero: bool = False) -> float:
        value = self.get(key, default)
        try:
            seconds = parse_duration(value)
        except ValueError as exc:
            raise self.error(key, str(exc)) from None
        if seconds < 0 or (seconds == 0 and not zero):
            raise self.error(key, f"expected a duration above zero, got {value!r}")
        return seconds

    def zone(self, key: str, default: ZoneInfo) -> ZoneInfo:
        if key not in self.data:
            return default
        name = self.string(key)
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.error(key, f"unknown time zone {name!r}") from None

    def cron(self, key: str, tz: ZoneInfo) -> str:
        expr = self.string(key)
        try:
            cron_trigger(expr, tz)
        except ValueError as exc:
            raise self.error(key, f"{expr!r}: {exc}") from None
        return " ".join(expr.split())

    def language(self, key: str, known: dict[str, str]) -> str:
        name = self.string(key).strip()
        if name.casefold() not in known:
            raise self.error(key, f"no language {name!r} on this site (known: {', '.join(sorted(known)) or 'none'})")
        return known[name.casefold()]

    def address(self, key: str) -> str:
        from email.errors import HeaderParseError  # digest channels only
        from email.headerregistry import Address

        value = self.string(key).strip()
        try:
            Address(addr_spec=value)
        except (ValueError, IndexError, HeaderParseError):
            raise self.error(key, f"expected a bare email address such as \"news@example.org\" (the display "
                                  f"name is the site's title), got {value!r}") from None
        return value

    def env_name(self, key: str) -> str | None:
        if key not in self.data:
            return None
        name = self.string(key)
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise self.error(key, f"expected the name of an environment variable, got {name!r}")
        return name

    def sub(self, key: str) -> _Table:
        self.read.add(key)
        return _Table(self.data[key], self.path, f"{self.where}.{key}")
