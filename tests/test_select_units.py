"""select.py on small hand-made entries, with the example site's settings: which posts are
published, which feeds exist, what each carries, and where translations point. Fast on purpose:
the mutation run (docs/testing.md) runs these for every mutant of select.py."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from syndicate.config import load_settings
from syndicate.model import Problem, Translation
from syndicate.pipeline.site import Site
from syndicate.select import (
    MAX_SLUG_BYTES,
    Entry,
    FeedSpec,
    Timeline,
    duplicate_urls,
    feed_specs,
    next_publication,
    published,
    resolve_translation,
    select_all,
    slugify,
    sort_key,
    translation_problem,
    translation_target,
)

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
T = NOW.timestamp()
BASE = "https://example.org/mekong-ledger"


def entry(name: str, hours_ago: float, language: str = "english", categories=(), translation=None) -> Entry:
    path = f"/{language}/{name}.html"
    return Entry(f"{language}/_posts/2026-11-01-{name}.md", T - hours_ago * 3600, language, tuple(categories),
                 BASE + path, path, name.title(), translation)


@pytest.fixture(scope="module")
def settings(example_site):
    return load_settings(example_site)


def test_published_drops_future_posts_and_keeps_one_due_exactly_now(settings):
    due, future = entry("due", 0), entry("future", -0.001)
    assert published([future, due], settings, NOW) == [due]


def test_published_drops_excluded_categories_whatever_their_case(settings):
    quote, news = entry("quote", 1, categories=("Quote", "extra")), entry("news", 2, categories=("politics",))
    both = [quote, news]
    due, future = entry("due", 0), entry("future", -0.001)
    assert published([future, due], replace(settings, excluded_categories=("quote",)), NOW) == [due]
    assert published(both, settings, NOW) == both
    assert published(both, replace(settings, excluded_categories=("quote",)), NOW) == [news]
    assert published(both, replace(settings, excluded_categories=("sport",)), NOW) == both


def test_published_is_newest_first_and_equal_times_go_by_url(settings):
    a, b, c = entry("b-story", 5), entry("a-story", 5), entry("newest", 1)
    assert published([a, b, c], settings, NOW) == [c, b, a]
    assert sort_key(c) < sort_key(b) < sort_key(a)


def test_posts_sharing_a_url_keep_the_first_by_file_name(settings):
    first = entry("same", 3)
    second = first._replace(source="english/_posts/2026-11-02-same.markdown", timestamp=T - 1)
    other = entry("other", 2)
    assert published([second, other, first], settings, NOW) == [other, first]
    assert duplicate_urls([second, first]) == [
        Problem(second.source, f"has the same URL as {first.source}: {first.url}", field="permalink")]
    assert duplicate_urls([first, entry("other", 1)]) == []


def test_next_publication_is_the_earliest_future_post():
    soon, later = entry("soon", -1), entry("later", -5)
    assert next_publication([later, entry("past", 1), soon], NOW) == soon.timestamp
    assert next_publication([entry("now", 0), entry("past", 1)], NOW) is None


def test_feed_specs_site_languages_and_categories(settings):
    posts = [entry("a", 1, categories=("Economy", "economy", "Hot Topics")), entry("b", 2, "khmer", ("transport",)),
             entry("c", 3, categories=("Transport",))]
    specs, problems = feed_specs(posts, replace(settings, item_limit=7))
    assert problems == []
    english, khmer = settings.language("english"), settings.language("khmer")
    assert specs == [
        FeedSpec("", settings.title, settings.description, BASE + "/", limit=7),
        FeedSpec("english", english.title, english.description, BASE + "/english/", language="english",
                 language_code="en", direction="ltr", limit=7),
        FeedSpec("english/economy", f"{english.title} — Economy", english.description, BASE + "/english/",
                 language="english", language_code="en", category="economy", label="Economy", limit=7),
        FeedSpec("english/hot-topics", f"{english.title} — Hot Topics", english.description, BASE + "/english/",
                 language="english", language_code="en", category="hot topics", label="Hot Topics", limit=7),
        FeedSpec("english/transport", f"{english.title} — Transport", english.description, BASE + "/english/",
                 language="english", language_code="en", category="transport", label="Transport", limit=7),
        FeedSpec("khmer", khmer.title, khmer.description, BASE + "/khmer/", language="khmer", language_code="km",
                 limit=7),
        FeedSpec("khmer/transport", f"{khmer.title} — Transport", khmer.description, BASE + "/khmer/",
                 language="khmer", language_code="km", category="transport", label="Transport", limit=7),
    ]


def test_feed_specs_keep_only_the_allowed_categories(settings):
    posts = [entry("a", 1, categories=("Economy", "Sport")), entry("b", 2, categories=("Transport",))]
    specs, _ = feed_specs(posts, replace(settings, feed_categories=("economy", "transport")))
    assert [s.folder for s in specs] == ["", "english", "english/economy", "english/transport"]


def test_feed_specs_of_a_right_to_left_language(settings):
    arabic = replace(settings.language("english"), key="arabic", code="ar", direction="rtl")
    specs, _ = feed_specs([entry("a", 1, "arabic")], replace(settings, languages={"arabic": arabic}))
    assert (specs[1].language_code, specs[1].direction) == ("ar", "rtl")


def test_categories_that_slug_alike_get_distinct_folders_and_a_warning(settings):
    posts = [entry("a", 1, categories=("Hot Topics", "hot-topics", "Feed", "ATOM", "!!!"))]
    specs, problems = feed_specs(posts, settings)
    folders = {s.category: s.folder for s in specs if s.category}
    hashed = {name: folders[name].rpartition("-")[2] for name in ("hot-topics", "feed", "atom")}
    assert all(len(h) == 6 for h in hashed.values())
    assert folders == {"!!!": "english/category", "atom": f"english/atom-{hashed['atom']}",
                       "feed": f"english/feed-{hashed['feed']}",  # feed.xml's and atom.xml's names are not folders
                       "hot topics": "english/hot-topics", "hot-topics": f"english/hot-topics-{hashed['hot-topics']}"}
    assert problems == [Problem("english/", f"categories {a!r} and {b!r} share a folder name; {b!r} is published as "
                                f"{folders[b.casefold()].partition('/')[2]!r}", field="categories", severity="warning")
                        for a, b in (("atom", "ATOM"), ("feed", "Feed"), ("Hot Topics", "hot-topics"))]


def test_a_language_key_with_no_letters_gets_a_folder_still(settings):
    specs, _ = feed_specs([entry("a", 1, "!!", ("x",))], settings)
    assert [s.folder for s in specs] == ["", "language", "language/x"]


def test_select_all_takes_each_feeds_newest_up_to_its_limit(settings):
    posts = sorted([entry(f"e{i}", i, categories=("Economy", "economy") if i % 2 else ()) for i in range(6)]
                   + [entry("k", 0.5, "khmer", ("economy",))], key=sort_key)
    specs, _ = feed_specs(posts, replace(settings, item_limit=2))
    chosen = {spec.folder: [e.path for e in posts] for spec, posts in select_all(posts, specs).items()}
    assert chosen == {
        "": ["/english/e0.html", "/khmer/k.html"],
        "english": ["/english/e0.html", "/english/e1.html"],
        "english/economy": ["/english/e1.html", "/english/e3.html"],
        "khmer": ["/khmer/k.html"],
        "khmer/economy": ["/khmer/k.html"],
    }
    unlimited = select_all(posts, [replace(s, limit=20) for s in specs])
    assert [len(v) for v in unlimited.values()] == [7, 6, 3, 1, 1]


def test_select_all_without_a_site_feed(settings):
    posts = [entry("a", 1)]
    spec = FeedSpec("english", "t", "d", BASE + "/english/", language="english", limit=5)
    assert select_all(posts, [spec]) == {spec: posts}


@pytest.mark.parametrize(("ref", "target"), [
    ("/khmer/b.html", "b"),
    ("/khmer/b.html#top", "b"),
    ("/khmer/b.html?x=1", "b"),
    ("../khmer/b.html", "b"),
    ("/english/../khmer/b.html", "b"),
    (f"{BASE}/khmer/b.html", "b"),
    ("//example.org/mekong-ledger/khmer/b.html", "b"),
    ("/mekong-ledger/khmer/b.html", "b"),
    ("/english/a.html", None),  # itself
    ("/khmer/missing.html", None),
    ("", None),
])
def test_translation_target(settings, ref, target):
    a, b = entry("a", 1, translation=ref or None), entry("b", 1, "khmer")
    by_path = {a.path: a, b.path: b}
    found = translation_target(a, by_path, settings)
    assert (found.path if found else None) == ({"b": b.path}.get(target))


def test_slugify_keeps_letters_of_any_script():
    assert slugify("Hot Topics!") == "hot-topics"
    assert slugify("ការបោះឆ្នោត") == "ការបោះឆ្នោត"
    assert slugify("--a__b--") == "a-b"
    assert slugify("Ünïcode 2018") == "ünïcode-2018"


def hash_of(slug: str) -> str:
    """The end of a cut slug (docs/check.md): a hyphen and 8 hex digits of a hash of the whole
    name (SHA-1 of its slug, so the same on every build and every machine)."""
    return "-" + hashlib.sha1(slug.encode()).hexdigest()[:8]


def test_a_slug_is_kept_whole_up_to_its_byte_limit_and_cut_with_a_hash_beyond():
    assert MAX_SLUG_BYTES == 120
    assert slugify("A" * 120) == "a" * 120
    cut = slugify("A" * 121)
    assert cut == "a" * 111 + hash_of("a" * 121) and len(cut.encode()) == 120
    assert slugify("a" * 121 + "b") != cut  # the hash is of the whole name: same head, other folder


def test_a_slug_cut_after_a_word_drops_the_hyphen_before_its_hash():
    assert slugify("a" * 110 + " " + "b" * 20) == "a" * 110 + hash_of("a" * 110 + "-" + "b" * 20)


def test_a_slug_is_cut_between_letters_never_between_a_letter_and_its_mark():
    name = "a" + "e\u0301" * 60  # é as e and a combining accent: 3 bytes each
    # 1 + 36 * 3 = 109 bytes fit before the hash (111); the 37th é would not, nor its e alone
    assert slugify(name) == "a" + "e\u0301" * 36 + hash_of(name)


def test_a_spec_matches_its_language_and_category_whatever_the_case():
    site = FeedSpec("", "t", "d", BASE + "/")
    english = replace(site, folder="english", language="english")
    economy = replace(english, folder="english/economy", category="economy")
    post, khmer = entry("a", 1, categories=("Economy",)), entry("b", 1, "khmer", ("economy",))
    assert [site.matches(post), english.matches(post), economy.matches(post)] == [True, True, True]
    assert [site.matches(khmer), english.matches(khmer), economy.matches(khmer)] == [True, False, False]
    assert economy.matches(entry("c", 1, categories=("sport",))) is False


def test_translation_problems_name_the_post_and_its_value():
    dangling = entry("a", 1, translation="/khmer/gone.html")
    assert translation_problem(dangling, None) == Problem(dangling.source, "points to no post: '/khmer/gone.html'",
                                                          field="translation", severity="error")
    assert translation_problem(dangling, entry("b", 1, "khmer")) is None
    assert translation_problem(entry("c", 1), None) is None


def test_a_post_and_its_entry_agree_and_its_translation_carries_the_title(settings, example_site):
    with Site.open(settings, None) as site:
        entries = {e.path: e for e in site.entries()}
        chief = site.post("english/_posts/2026-11-12-profile-commune-chief.md")
    entry_of = Entry.of(chief)
    assert entry_of == entries[chief.path]
    assert (entry_of.title, entry_of.url, entry_of.translation_ref) == (chief.title, chief.url, chief.translation_ref)
    linked, problem = resolve_translation(chief, entries, settings)
    assert problem is None
    assert linked.translation == Translation(f"{BASE}/khmer/profile/commune-chief.html", "khmer", "km",
                                             entries["/khmer/profile/commune-chief.html"].title)
    with Site.open(settings, None) as site:
        ferry = site.post("english/_posts/2026-11-02-ferry-crossing-reopens.md")
        site_post = replace(site.post("khmer/_posts/2026-11-02-ferry-crossing-reopens.md"), url=ferry.url)
    # `syndicate check` passes whole posts, which do not sort: the file name orders them
    assert [p.source for p in duplicate_urls([site_post, chief, ferry])] == [site_post.source]
    unlinked, problem = resolve_translation(replace(chief, translation_ref="/khmer/gone.html", translation=None),
                                           entries, settings)
    assert unlinked.translation is None and problem.message == "points to no post: '/khmer/gone.html'"


def test_a_category_too_long_for_a_folder_is_cut_and_reported_on_its_first_post(settings):
    gothic = "\U00010330" * 40  # 40 letters of 4 bytes: too long for a folder, short enough to show whole
    longer = gothic + "\U00010331"  # 41: shown cut to 40
    words = "reform " * 30
    posts = [entry("b", 1, categories=(words, gothic)), entry("a", 2, categories=(words, gothic)), entry("0", 3),
             entry("k", 1, "khmer", (words,)), entry("g", 1, categories=(longer,))]
    specs, problems = feed_specs(posts, settings)
    folders = {s.category: s.folder for s in specs if s.language == "english" and s.category}
    assert len(folders) == 3 and all(len(f.partition("/")[2].encode()) <= 120 for f in folders.values())

    def problem(source: str, name: str, shown: str) -> Problem:
        return Problem(f"english/_posts/2026-11-01-{source}.md", f"category {shown!r} ({len(name.encode())} bytes) "
                       f"is too long for a folder name; its feeds are published in {folders[name.casefold()] + '/'!r}",
                       field="categories", severity="warning")

    expected = {problem("a", words, words[:40] + "…"),
                problem("a", gothic, gothic), problem("g", longer, gothic + "…")}
    assert {p for p in problems if p.source.startswith("english/")} == expected


def test_category_feeds_take_their_language_label_and_their_sites_page(settings):
    posts = [entry("a", 1, categories=("economy",)), entry("k", 1, "khmer", ("economy",))]
    labelled = replace(settings, category_labels={"khmer": {"economy": "សេដ្ឋកិច្ច"}, "": {"economy": "Business"}})
    specs, _ = feed_specs(posts, labelled, category_pages={("khmer", "economy"): "/khmer/economy/"})
    economy = {s.language: s for s in specs if s.category}
    assert (economy["english"].label, economy["khmer"].label) == ("Business", "សេដ្ឋកិច្ច")
    assert economy["khmer"].title.endswith("— សេដ្ឋកិច្ច")
    assert (economy["english"].home_url, economy["khmer"].home_url) == (f"{BASE}/english/", f"{BASE}/khmer/economy/")


# ---- Timeline: the sorted lists the builds and the daemon select from, against the functions it
# stands in for (`published`, `feed_specs`, `select_all`, `next_publication`)


def stories() -> list[Entry]:
    """The example site's week in both languages, a quote the README's command excludes, two
    stories due at the same second and two still to come."""
    return [
        entry("ferry-crossing-reopens", 50, categories=("Transport",)),
        entry("rice-prices-climb", 30, categories=("economy", "Agriculture")),
        entry("rice-prices-climb", 30, "khmer", ("economy", "agriculture")),
        entry("quote-nou-sari", 20, categories=("Quote", "economy")),
        entry("night-market", 10, categories=("ECONOMY",)),
        entry("school-boats", 4, categories=("education",)),
        entry("budget-vote", -3, categories=("economy", "Politics")),
        entry("commune-chief", -6, "khmer", ("profile",)),
    ]


MOMENTS = [NOW - timedelta(hours=100),  # before every story
           NOW - timedelta(hours=30), NOW - timedelta(hours=25), NOW, NOW + timedelta(hours=3),
           NOW + timedelta(hours=100)]


def keys_of(entries: list[Entry]) -> set[tuple[str | None, str | None]]:
    return {(None, None)} | {(e.language, None) for e in entries} | {
        (e.language, c.casefold()) for e in entries for c in e.categories}


def under(key: tuple[str | None, str | None], entries: list[Entry]) -> list[Entry]:
    language, category = key
    return [e for e in entries if language in (None, e.language)
            and (category is None or category in {c.casefold() for c in e.categories})]


def spellings(visible: list[Entry]) -> dict[str, dict[str, str]]:
    """What feed_specs reads from the published posts: each category as the newest post spells it."""
    names: dict[str, dict[str, str]] = {}
    for e in visible:
        for c in e.categories:
            names.setdefault(e.language, {}).setdefault(c.casefold(), c)
        names.setdefault(e.language, {})
    return names


@pytest.mark.parametrize("excluded", [(), ("quote",)])
def test_a_timeline_shows_at_each_moment_what_published_and_select_all_do(settings, excluded):
    settings = replace(settings, excluded_categories=excluded, item_limit=2)
    entries = stories()
    timeline = Timeline(reversed(entries), settings)
    kept = [e for e in entries if not (excluded and "Quote" in e.categories)]
    for now in MOMENTS:
        visible = published(entries, settings, now)
        for key in keys_of(entries):
            expected = under(key, visible)
            assert list(timeline.visible(key, now)) == expected, (key, now)
            assert list(timeline.newest(key, now)) == expected
            assert list(timeline.head(key, now, 2)) == expected[:2] and list(timeline.head(key, now, 1)) == expected[:1]
        for language in (None, "english", "khmer", "french"):
            assert timeline.count(language, now) == len(under((language, None), visible))
        assert timeline.next_publication(now) == next_publication(kept, now)
        assert timeline.names(now) == spellings(visible)
        specs, _ = feed_specs(visible, settings)
        assert timeline.select(specs, now) == select_all(visible, specs)
    assert list(timeline.visible(("english", "quote"), NOW)) == ([] if excluded else [entries[3]])


def test_a_timeline_kept_up_to_date_equals_one_built_afresh(settings):
    settings = replace(settings, excluded_categories=("quote",))
    entries = stories()
    timeline = Timeline(entries[:3], settings)
    for e in entries[3:]:
        timeline.add(e)
    edited = entries[1]._replace(timestamp=T - 2 * 3600, categories=("economy",))
    timeline.remove(entries[1])
    timeline.add(edited)
    timeline.remove(entries[3])  # excluded: it was never in, and removing it changes nothing
    now_list = [*entries[:1], edited, *entries[2:]]
    fresh = Timeline(now_list, settings)
    for now in MOMENTS:
        for key in keys_of(entries):
            assert list(timeline.visible(key, now)) == list(fresh.visible(key, now)), (key, now)
    assert not timeline.visible(("english", "agriculture"), NOW)


def test_removing_one_of_two_posts_at_one_url_and_time_keeps_the_other(settings):
    first = entry("same", 3)
    second = first._replace(source="english/_posts/2026-11-22-same.markdown")
    timeline = Timeline([first, entry("other", 3), second], settings)
    timeline.remove(second)
    assert timeline.visible((None, None), NOW) == [entry("other", 3), first]
    timeline.remove(first)
    assert timeline.visible(("english", None), NOW) == [entry("other", 3)]


def test_a_timeline_with_nothing_published_has_nothing_to_show_and_nothing_to_wait_for(settings):
    for timeline in (Timeline([], settings),
                     Timeline([entry("quote-nou-sari", 2, categories=("Quote",))],
                              replace(settings, excluded_categories=("quote",)))):
        assert timeline.next_publication(NOW) is None and timeline.count(None, NOW) == 0
        assert not timeline.visible((None, None), NOW) and timeline.names(NOW) == {}
