"""Channel definitions (feeds/*.toml): the repo's own, the defaults, and every way a file can be wrong."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from syndicate.config import ConfigError, load_settings
from syndicate.daemon.channels import (
    DigestChannel,
    FeedChannel,
    check_environment,
    delivery_warnings,
    find_feeds_dir,
    load_channels,
)
from syndicate.daemon.timespec import cron_trigger, format_duration, parse_duration

REPO_FEEDS = Path(__file__).resolve().parent.parent / "feeds"
PP = ZoneInfo("Asia/Phnom_Penh")

DIGEST = """
[digest]
language = "english"
schedule = "0 6 * * *"
list_address = "digest@example.org"
from_address = "news@example.org"
"""


@pytest.fixture
def settings(example_site):
    return load_settings(example_site)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_repo_feeds_define_the_example_sites_channels(settings):
    channels = {ch.id: ch for ch in load_channels(REPO_FEEDS, settings)}
    assert set(channels) == {"site", "english-daily", "khmer-weekly"}
    site = channels["site"]
    assert isinstance(site, FeedChannel)
    assert (site.schedule.every, site.language, site.formats) == (900.0, None, ("rss", "atom", "json"))
    daily = channels["english-daily"]
    assert isinstance(daily, DigestChannel)
    assert (daily.list_id, daily.spec.language, daily.spec.period, daily.spec.timezone) == \
        ("english-daily", "english", "daily", "Asia/Phnom_Penh")
    assert daily.smtp is None  # an empty [digest.delivery]: the outbox only
    weekly = channels["khmer-weekly"]
    assert (weekly.spec.period, weekly.spec.max_items) == ("weekly", 10)
    # Monday 06:00 in Phnom Penh is Sunday 23:00 UTC.
    fire = weekly.schedule.trigger().get_next_fire_time(None, datetime(2026, 11, 25, tzinfo=timezone.utc))
    assert fire == datetime(2026, 11, 29, 23, 0, tzinfo=timezone.utc)


def test_no_folder_means_every_feed_every_15_minutes(settings):
    (channel,) = load_channels(None, settings)
    assert isinstance(channel, FeedChannel)
    assert channel.schedule.every == 15 * 60 and channel.language is None and channel.formats == ("rss", "atom", "json")


def test_feeds_folder_discovery(tmp_path):
    assert find_feeds_dir(None, tmp_path) is None
    (tmp_path / "feeds").mkdir()
    assert find_feeds_dir(None, tmp_path) == tmp_path / "feeds"
    assert find_feeds_dir(tmp_path / "feeds", Path("/")) == tmp_path / "feeds"
    with pytest.raises(ConfigError, match="elsewhere: --feeds: not a folder"):
        find_feeds_dir(tmp_path / "elsewhere", tmp_path)


def test_an_empty_feeds_folder_is_an_error_not_a_silent_daemon(tmp_path, settings):
    (tmp_path / "feeds").mkdir()
    with pytest.raises(ConfigError, match=r"feeds: no channel files \(\*\.toml\)"):
        load_channels(tmp_path / "feeds", settings)


def test_a_digest_channel_maps_onto_the_digest_spec(tmp_path, settings):
    write(tmp_path / "feeds", "morning.toml", DIGEST + """
period = "12h"
timezone = "Europe/Berlin"
categories = ["Economy"]
subject = "{{ site }}: {{ count }}"
unsubscribe = "*|UNSUB|*"
send_empty = true
max_items = 5
late_grace = "2d"
misfire_grace = "30m"
[digest.labels]
stories = "items"
[digest.delivery]
host = "smtp.example.org"
username_env = "SMTP_USER"
password_env = "SMTP_PASSWORD"
attempts = 2
backoff = "1s"
""")
    ch, redeliver = load_channels(tmp_path / "feeds", settings)
    assert (redeliver.id, str(redeliver.schedule)) == ("redeliver", "every 10m")  # with a mail server, retries
    spec = ch.spec
    assert (spec.list_id, spec.period, spec.timezone, spec.categories) == ("morning", 43200, "Europe/Berlin", ("economy",))
    assert (spec.subject_template, spec.unsubscribe, spec.send_empty, spec.max_items) == \
        ("{{ site }}: {{ count }}", "*|UNSUB|*", True, 5)
    assert spec.late_grace == timedelta(days=2) and spec.labels == (("stories", "items"),)
    assert ch.misfire_grace == 1800 and ch.schedule.timezone.key == "Europe/Berlin"
    assert (ch.smtp.host, ch.smtp.port, ch.smtp.tls, ch.smtp.attempts, ch.smtp.backoff) == \
        ("smtp.example.org", 587, "starttls", 2, 1.0)
    assert (ch.smtp.username_env, ch.smtp.password_env) == ("SMTP_USER", "SMTP_PASSWORD")


def test_a_feed_channel_restricts_language_categories_formats_and_limit(tmp_path, settings):
    write(tmp_path / "feeds", "km.toml", '[feed]\nlanguage = "Khmer"\ncategories = ["Economy"]\n'
                                         'formats = ["rss"]\nlimit = 5\ncron = "*/5 * * * *"\n')
    (ch,) = load_channels(tmp_path / "feeds", settings)
    assert (ch.language, ch.categories, ch.formats, ch.limit) == ("khmer", ("economy",), ("rss",), 5)
    assert ch.schedule.cron == "*/5 * * * *" and ch.schedule.every is None


BAD = [
    # (file name, text, what the message must say after the file name)
    ("a.toml", "[feed]\nevry = \"5m\"\n", "feed.evry: unknown key"),
    ("a.toml", "[feed]\nevery = \"soon\"\n", "feed.every: expected seconds or a duration"),
    ("a.toml", "[feed]\nevery = 0\n", "feed.every: expected a duration above zero"),
    ("a.toml", "[feed]\nevery = \"5m\"\ncron = \"* * * * *\"\n", "feed.cron: set either every or cron"),
    ("a.toml", "[feed]\nformats = [\"rss\", \"xml\"]\n", "feed.formats: unknown format 'xml'"),
    ("a.toml", "[feed]\nlanguage = \"french\"\n", "feed.language: no language 'french' on this site"),
    ("a.toml", "[feed]\nlimit = 0\n", "feed.limit: expected a whole number of at least 1"),
    ("a.toml", "[feed]\ntimezone = \"Mars/Olympus\"\n", "feed.timezone: unknown time zone 'Mars/Olympus'"),
    ("a.toml", "[feed]\n[digest]\n", "exactly one table"),
    ("a.toml", "[feeds]\n", "feeds: unknown table"),
    ("a.toml", "[feed\n", "cannot read"),
    ("Bad_Name.toml", "[feed]\n", "the file name must be a lower-case id"),
    ("redeliver.toml", "[feed]\n", "'redeliver' is the daemon's own job id"),
    ("d.toml", DIGEST.replace('schedule = "0 6 * * *"', 'schedule = "0 6 * *"'), "digest.schedule: '0 6 * *': expected 5 fields"),
    ("d.toml", DIGEST.replace('"0 6 * * *"', '"0 6 * * 1"'), "digest.schedule: '0 6 * * 1': write weekdays as names"),
    ("d.toml", DIGEST.replace('"0 6 * * *"', '"0 25 * * *"'), "digest.schedule: '0 25 * * *'"),
    ("d.toml", DIGEST.replace('list_address = "digest@example.org"\n', ""), "digest.list_address: required"),
    ("d.toml", DIGEST.replace('"0 6 * * *"', '"*/30 * * * * *"'), "digest.schedule: '*/30 * * * * *' fires more than once a minute"),
    ("d.toml", DIGEST.replace('"news@example.org"', '"News <news@example.org>"'), "digest.from_address: expected a bare"),
    ("d.toml", DIGEST + 'period = "monthly"\n', "digest.period: expected seconds or a duration"),
    ("d.toml", DIGEST + 'period = 30\n', "digest.period: expected \"daily\", \"weekly\" or whole seconds of at least 60"),
    ("d.toml", DIGEST + 'list_id = "a b"\n', "digest.list_id: list id 'a b'"),
    ("d.toml", DIGEST + 'unsubscribe = "a<b"\n', "digest.unsubscribe: unsubscribe 'a<b': an http(s) URL, or a merge tag"),
    ("d.toml", DIGEST + 'send_empty = "yes"\n', "digest.send_empty: expected true or false"),
    ("d.toml", DIGEST + '[digest.delivery]\nhost = "smtp.example.org"\ntls = "ssl"\n',
     "digest.delivery.tls: expected \"starttls\" or \"none\""),
    ("d.toml", DIGEST + '[digest.delivery]\nhost = "smtp.example.org"\nusername_env = "U"\n',
     "digest.delivery.password_env: set both"),
    ("d.toml", DIGEST + '[digest.delivery]\nhost = "smtp.example.org"\ntls = "none"\nusername_env = "U"\n'
                        'password_env = "P"\n', "digest.delivery.tls: a login over an unencrypted connection"),
    ("d.toml", DIGEST + '[digest.delivery]\nhost = "smtp.example.org"\npassword = "hunter2"\n',
     "digest.delivery.password: unknown key"),
    ("d.toml", DIGEST + '[digest.delivery]\nport = 25\n', "digest.delivery.port: unknown key"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD, ids=[m for _, _, m in BAD])
def test_invalid_definitions_name_file_key_and_reason(tmp_path, settings, name, text, message):
    path = write(tmp_path / "feeds", name, text)
    with pytest.raises(ConfigError) as caught:
        load_channels(tmp_path / "feeds", settings)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_two_digests_of_one_list_are_refused(tmp_path, settings):
    write(tmp_path / "feeds", "a.toml", DIGEST + 'list_id = "news"\n')
    second = write(tmp_path / "feeds", "b.toml", DIGEST + 'list_id = "news"\n')
    with pytest.raises(ConfigError, match=f"^{second}: digest.list_id: 'news' is also the list of .*a.toml"):
        load_channels(tmp_path / "feeds", settings)


def test_feed_channels_that_would_write_the_same_files_are_refused(tmp_path, settings):
    write(tmp_path / "feeds", "en.toml", '[feed]\nlanguage = "english"\n')
    write(tmp_path / "feeds", "km.toml", '[feed]\nlanguage = "khmer"\n')
    write(tmp_path / "feeds", "km-json.toml", '[feed]\nlanguage = "khmer"\nformats = ["json"]\n')
    with pytest.raises(ConfigError, match="km.toml: feed.language: writes the same json files as .*km-json.toml"):
        load_channels(tmp_path / "feeds", settings)
    (tmp_path / "feeds" / "km-json.toml").unlink()
    assert [ch.id for ch in load_channels(tmp_path / "feeds", settings)] == ["en", "km"]
    write(tmp_path / "feeds", "all.toml", "[feed]\n")  # the whole site overlaps every language
    with pytest.raises(ConfigError, match="writes the same rss files"):
        load_channels(tmp_path / "feeds", settings)


def test_smtp_logins_must_be_in_the_environment(tmp_path, settings):
    path = write(tmp_path / "feeds", "d.toml", DIGEST + '[digest.delivery]\nhost = "smtp.example.org"\n'
                                                      'username_env = "SMTP_U"\npassword_env = "SMTP_P"\n')
    channels = load_channels(tmp_path / "feeds", settings)
    assert [ch.id for ch in channels] == ["d", "redeliver"]
    with pytest.raises(ConfigError, match=f"^{path}: digest.delivery.password_env: environment variable SMTP_P is not set"):
        check_environment(channels, {"SMTP_U": "me"})
    check_environment(channels, {"SMTP_U": "me", "SMTP_P": "secret"})


def test_cron_takes_an_optional_seconds_field_and_the_time_zone():
    start = datetime(2026, 11, 25, 10, 0, 1, tzinfo=timezone.utc)
    assert cron_trigger("*/20 * * * * *", PP).get_next_fire_time(None, start) == start.replace(second=20)
    assert cron_trigger("30 6 * * sat,sun", PP).get_next_fire_time(None, start) == \
        datetime(2026, 11, 28, 6, 30, tzinfo=PP)


@pytest.mark.parametrize(("text", "seconds"), [(90, 90.0), (1.5, 1.5), ("45s", 45.0), ("15m", 900.0),
                                                ("1h30m", 5400.0), ("7d", 604800.0), ("2 h", 7200.0)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_durations_read_back():
    assert [format_duration(s) for s in (900.0, 5400.0, 86400.0, 1.5, 90.0)] == ["15m", "90m", "1d", "1.5s", "90s"]


@pytest.mark.parametrize("text", ["", "5", "m5", "5x", "1h 30", True])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_the_examples_in_docs_daemon_md_load_and_every_key_is_in_its_tables(tmp_path, settings):
    import re
    import tomllib

    docs = (Path(__file__).resolve().parent.parent / "docs" / "daemon.md").read_text(encoding="utf-8")
    examples = re.findall(r"```toml\n# feeds/([a-z-]+\.toml)\n(.*?)```", docs, flags=re.S)
    assert {name for name, _ in examples} == {"khmer.toml", "english-daily.toml"}
    documented = set(re.findall(r"^\| `([a-z_]+)`(?:, `([a-z_]+)`)? \|", docs, flags=re.M))
    documented = {key for pair in documented for key in pair if key}

    def keys(table: dict) -> set[str]:
        found = set()
        for key, value in table.items():
            if isinstance(value, dict):
                found |= keys(value) if key != "labels" else set()  # labels are the catalogue's
            else:
                found.add(key)
        return found

    for name, text in examples:
        folder = tmp_path / name
        write(folder, name, text)
        assert load_channels(folder, settings)  # the documented example is a valid channel
        missing = keys(tomllib.loads(text)) - documented
        assert not missing, f"keys in the {name} example without a row in a table: {missing}"
    assert {"host", "port", "tls", "username_env", "password_env", "attempts", "backoff", "timeout"} <= documented


def test_digest_sending_keys_and_the_warning_for_smtp_without_a_postal_address(tmp_path, settings):
    keys = ('unsubscribe = "https://example.org/u?list=en&id=*|ID|*"\n'
            'unsubscribe_mailto = "mailto:leave@example.org"\npreferences_url = "https://example.org/p"\n'
            'subject_headline = false\nmax_periods = 3\n')
    write(tmp_path / "outbox", "d.toml", DIGEST + keys)
    write(tmp_path / "smtp", "d.toml", DIGEST + keys + '[digest.delivery]\nhost = "smtp.example.org"\n')
    write(tmp_path / "addressed", "d.toml", DIGEST + keys + 'postal_address = "1 Main St, Springfield"\n'
                                                            '[digest.delivery]\nhost = "smtp.example.org"\n')
    def digests(folder):
        return tuple(ch for ch in load_channels(tmp_path / folder, settings) if isinstance(ch, DigestChannel))

    [outbox] = digests("outbox")
    spec = outbox.spec
    assert (spec.unsubscribe, spec.unsubscribe_mailto, spec.preferences_url, spec.subject_headline, spec.max_periods) \
        == ("https://example.org/u?list=en&id=*|ID|*", "mailto:leave@example.org", "https://example.org/p", False, 3)
    assert delivery_warnings((outbox,)) == []  # no SMTP: the ESP's own footer adds the address
    [smtp] = digests("smtp")
    [warning] = delivery_warnings((smtp,))
    assert warning.startswith(f"{tmp_path / 'smtp' / 'd.toml'}: digest.postal_address is not set")
    assert delivery_warnings(digests("addressed")) == []


def test_feed_channels_load_without_the_scheduler_and_a_cron_schedule_brings_it(tmp_path, example_site):
    # APScheduler (with asyncio under it) is a tenth of a second of imports: a daemon of feed
    # channels alone starts its first build without it; a digest's cron is checked with it.
    import subprocess
    import sys

    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "site.toml").write_text('[feed]\nevery = "15m"\n')
    code = ("import sys; from syndicate.config import load_settings; "
            "from syndicate.daemon.channels import load_channels; "
            f"channels = load_channels({str(feeds)!r}, load_settings({str(example_site)!r})); "
            "print(len(channels), sorted({m.split('.')[0] for m in sys.modules} & {'apscheduler', 'asyncio'}))")
    run = lambda: subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()  # noqa: E731
    assert run() == ["1", "[]"]
    (feeds / "km.toml").write_text('[digest]\nlanguage = "khmer"\nschedule = "0 6 * * mon"\n'
                                   'list_address = "km@example.org"\nfrom_address = "news@example.org"\n')
    assert run() == ["2", "['apscheduler',", "'asyncio']"]
