"""The effect of each `syndicate digest` option of docs/digests.md, on the example site: every
case runs the command once with one option and compares with the run without it. (--period,
--date, --cutoff and --category are pinned in test_digest_selection.py, --list-id and --language
in test_digest_cli.py.)"""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

from syndicate import cli

NOW = "2026-11-25T00:00:00+00:00"
WEEK = ("--period", "weekly", "--date", "2026-11-20")  # [11-13 06:00, 11-20 06:00): the market and the school boats
BASE = "https://example.org/mekong-ledger"


class Digest:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err
        # html, txt, eml, json and the web copy, web.html
        self.paths = {Path(line).name.split(".", 1)[1]: Path(line) for line in out.splitlines() if line.startswith("/")}

    @property
    def meta(self) -> dict:
        return json.loads(self.paths["json"].read_text(encoding="utf-8"))

    @property
    def html(self) -> str:
        return self.paths["html"].read_text(encoding="utf-8")

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.paths["eml"].read_bytes(), policy=email.policy.default)


def digest(site: Path, tmp_path: Path, capsys, *options: str, window=WEEK) -> Digest:
    code = cli.main(["digest", str(site), "--language", "english", "--out", str(tmp_path / "out"),
                     "--state", str(tmp_path / "state"), "--now", NOW, *window, *options])
    out, err = capsys.readouterr()
    return Digest(code, out, err)


@pytest.fixture
def default(example_site, tmp_path, capsys) -> Digest:
    made = digest(example_site, tmp_path / "default", capsys)
    assert made.code == 0 and made.meta["items"] == [f"{BASE}/english/economy/night-market.html",
                                                     f"{BASE}/english/education/school-boats.html"]
    return made


def test_timezone_moves_the_cutoff_and_the_dates_shown(example_site, tmp_path, capsys, default):
    made = digest(example_site, tmp_path, capsys, "--timezone", "America/New_York")
    assert default.meta["window"] == {"start": "2026-11-12T23:00:00+00:00", "end": "2026-11-19T23:00:00+00:00"}
    assert made.meta["window"] == {"start": "2026-11-13T11:00:00+00:00", "end": "2026-11-20T11:00:00+00:00"}
    assert made.message["Date"] == "Fri, 20 Nov 2026 06:00:00 -0500"
    assert default.message["Date"] == "Fri, 20 Nov 2026 06:00:00 +0700"
    # the market (Phnom Penh midnight, 11-18 noon in New York) is dated in the list's zone
    assert "November 18, 2026" in made.html and "November 18, 2026" not in default.html


def test_list_and_from_addresses_are_the_envelope(example_site, tmp_path, capsys, default):
    made = digest(example_site, tmp_path, capsys, "--list-address", "river@lists.example.net",
                  "--from-address", "desk@example.net")
    assert (default.message["To"], default.message["From"].addresses[0].addr_spec) == \
        ("digest-english@example.org", "newsroom@example.org")
    assert made.message["To"] == "river@lists.example.net"
    assert made.message["From"].addresses[0].addr_spec == "desk@example.net"
    assert made.message["From"].addresses[0].display_name == "Mekong Ledger"


def test_unsubscribe_tag_goes_into_the_header_and_the_footer_byte_for_byte(example_site, tmp_path, capsys, default):
    made = digest(example_site, tmp_path, capsys, "--unsubscribe", "*|UNSUB|*")
    assert default.message["List-Unsubscribe"] == "<{{unsubscribe_url}}>"
    assert made.message["List-Unsubscribe"] == "<*|UNSUB|*>"
    assert 'href="*|UNSUB|*"' in made.html and "{{unsubscribe_url}}" not in made.html


def test_max_items_lists_the_rest_by_title(example_site, tmp_path, capsys, default):
    made = digest(example_site, tmp_path, capsys, "--max-items", "1")
    assert (default.meta["shown_in_full"], made.meta["shown_in_full"]) == (2, 1)
    assert made.meta["items"] == default.meta["items"]
    assert default.html.count("Read more") == 2 and made.html.count("Read more") == 1
    assert "More in this digest" in made.html and "More in this digest" not in default.html


def test_send_empty_writes_a_digest_of_an_empty_window(example_site, tmp_path, capsys):
    empty = ("--date", "2026-11-01")
    assert digest(example_site, tmp_path / "a", capsys, window=empty).paths == {}
    made = digest(example_site, tmp_path / "b", capsys, "--send-empty", window=empty)
    assert made.code == 0 and made.meta["items"] == [] and {"html", "txt", "eml", "json"} <= set(made.paths)


def test_config_file_settings_reach_the_digest(example_site, tmp_path, capsys, default):
    config = tmp_path / "syndicate.toml"
    config.write_text('[site]\nfeed_base_url = "https://feeds.example.net/ml"\n'
                      '[languages.english]\ntitle = "Ledger Daily"\n', encoding="utf-8")
    made = digest(example_site, tmp_path, capsys, "--config", str(config))
    assert made.message["From"].addresses[0].display_name == "Ledger Daily"
    assert ">Ledger Daily<" in made.html and ">Ledger Daily<" not in default.html
    assert 'href="https://feeds.example.net/ml/digests/english/weekly/2026-11-20.web.html"' in made.html


def test_now_picks_the_window_due_without_date(example_site, tmp_path, capsys):
    made = digest(example_site, tmp_path, capsys, "--now", "2026-11-19T00:00:00+00:00", window=())
    assert made.paths["json"].name == "2026-11-19.json"  # the latest 06:00 cut-off in Phnom Penh
    assert made.meta["items"] == [f"{BASE}/english/economy/night-market.html"]


def test_quiet_prints_the_paths_and_verbose_adds_the_summary(example_site, tmp_path, capsys, default):
    quiet = digest(example_site, tmp_path / "q", capsys, "-q")
    verbose = digest(example_site, tmp_path / "v", capsys, "-v")
    assert len(quiet.paths) >= 4
    assert [p.name for p in quiet.paths.values()] == [p.name for p in default.paths.values()]
    assert [p.name for p in verbose.paths.values()] == [p.name for p in default.paths.values()]
    summary = f"{verbose.meta['subject']} | 2 posts | {verbose.message['Message-ID']} | "
    assert summary in verbose.err and summary not in default.err + quiet.err
    empty = ("--date", "2026-11-01")
    assert "no digest for english-daily" in digest(example_site, tmp_path / "e", capsys, window=empty).err
    assert digest(example_site, tmp_path / "f", capsys, "-q", window=empty).err == ""


def test_unsubscribe_mailto_postal_address_and_preferences_reach_the_message(example_site, tmp_path, capsys, default):
    made = digest(example_site, tmp_path, capsys, "--unsubscribe-mailto", "mailto:unsub@example.org",
                  "--postal-address", "1 River Road, Phnom Penh", "--preferences-url", "https://example.org/prefs")
    assert made.message["List-Unsubscribe"] == "<{{unsubscribe_url}}>, <mailto:unsub@example.org>"
    assert "1 River Road, Phnom Penh" in made.html and "1 River Road" not in default.html
    assert 'href="https://example.org/prefs"' in made.html and "https://example.org/prefs" not in default.html


def test_site_subject_names_the_site_instead_of_the_top_story(example_site, tmp_path, capsys, default):
    made = digest(example_site, tmp_path, capsys, "--site-subject")
    assert default.message["Subject"] == "A Night Market Returns to the Riverside · Nov 14 – 20, 2026"
    assert made.message["Subject"] == "Mekong Ledger · Nov 14 – 20, 2026"


def test_max_periods_bounds_how_far_a_catch_up_window_reaches_back(example_site, tmp_path, capsys):
    """A daily list whose last digest ended on 11-03 catches up on 11-20: its window reaches back
    at most --max-periods days."""
    first = digest(example_site, tmp_path, capsys, "--send-empty", window=("--date", "2026-11-03"))
    assert first.meta["items"] == []
    catch_up = digest(example_site, tmp_path, capsys, "--max-periods", "2", window=("--date", "2026-11-20"))
    assert catch_up.meta["window"]["start"] == "2026-11-17T23:00:00+00:00"  # 11-18 06:00 in Phnom Penh
    assert catch_up.meta["items"][0] == f"{BASE}/english/economy/night-market.html"


def test_excluded_categories_stay_out_of_digests_too(example_site, tmp_path, capsys, default):
    config = tmp_path / "syndicate.toml"
    config.write_text('[feeds]\nexclude_categories = ["Economy"]\n', encoding="utf-8")
    made = digest(example_site, tmp_path, capsys, "--config", str(config))
    assert made.meta["items"] == [f"{BASE}/english/education/school-boats.html"]
