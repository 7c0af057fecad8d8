"""digest/compose.py's choice of posts (`candidates`) on hand-made entries: the window's ends,
language, categories, and how far back late posts reach. Fast on purpose: the mutation run
(docs/testing.md) runs these for every mutant of compose.py; test_digest_selection.py checks the
same through `syndicate digest` and `produce`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from syndicate.config import load_settings
from syndicate.digest import DigestSpec
from syndicate.digest.compose import candidates, language_folder
from syndicate.digest.window import Window
from syndicate.select import Entry

UTC = timezone.utc
START, END = datetime(2026, 11, 19, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)
WINDOW = Window(START, END)


def entry(name: str, when: datetime, language: str = "english", categories=()) -> Entry:
    return Entry(f"{language}/_posts/{name}.md", when.timestamp(), language, tuple(categories),
                 f"https://example.org/{language}/{name}.html", f"/{language}/{name}.html", name)


@pytest.fixture(scope="module")
def settings(example_site):
    return load_settings(example_site)


def names(chosen: list[Entry]) -> list[str]:
    return [e.title for e in chosen]


def test_the_window_is_closed_at_its_start_and_open_at_its_end(settings):
    spec = DigestSpec.for_site(settings, "english")
    second = timedelta(seconds=1)
    posts = [entry("after-end", END + second), entry("at-end", END), entry("last-second", END - second),
             entry("at-start", START), entry("before-start", START - second)]
    assert names(candidates(posts, WINDOW, spec, None)) == ["last-second", "at-start"]


def test_only_the_lists_language(settings):
    spec = DigestSpec.for_site(settings, "khmer")
    posts = [entry("en", START, "english"), entry("km", START, "khmer")]
    assert names(candidates(posts, WINDOW, spec, None)) == ["km"]


def test_categories_match_any_whatever_the_case(settings):
    posts = [entry("eco", START, categories=("Economy", "x")), entry("both", START, categories=("TRANSPORT",)),
             entry("none", START), entry("sport", START, categories=("sport",))]
    spec = DigestSpec.for_site(settings, "english", categories=("economy", "Transport"))
    assert names(candidates(posts, WINDOW, spec, None)) == ["eco", "both"]
    assert names(candidates(posts, WINDOW, DigestSpec.for_site(settings, "english"), None)) == [
        "eco", "both", "none", "sport"]


@pytest.mark.parametrize(("history_days", "grace_days", "expected"), [
    (None, 7, ["in"]),  # no digest yet: nothing is late
    (30, 7, ["in", "6d", "7d"]),  # back to the grace, inclusive
    (30, 0, ["in"]),
    (3, 7, ["in"]),  # the list's first digest started 3 days before: no further
    (6, 7, ["in", "6d"]),  # its start is inclusive too
])
def test_late_posts_reach_back_to_the_later_of_grace_and_the_lists_start(settings, history_days, grace_days,
                                                                          expected):
    posts = [entry("in", START + timedelta(hours=1)), entry("6d", START - timedelta(days=6)),
             entry("7d", START - timedelta(days=7)), entry("8d", START - timedelta(days=7, seconds=1))]
    spec = DigestSpec.for_site(settings, "english", late_grace=timedelta(days=grace_days))
    history = None if history_days is None else START - timedelta(days=history_days)
    assert names(candidates(posts, WINDOW, spec, history)) == expected


def test_a_history_starting_inside_the_window_does_not_shrink_it(settings):
    spec = DigestSpec.for_site(settings, "english")
    posts = [entry("early", START + timedelta(minutes=1)), entry("late", START - timedelta(days=1))]
    assert names(candidates(posts, WINDOW, spec, START + timedelta(hours=12))) == ["early"]


def test_language_folder_is_the_feeds_folder():
    assert (language_folder("english"), language_folder("Khmer Lang"), language_folder("!!")) == (
        "english", "khmer-lang", "language")
