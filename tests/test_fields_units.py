"""collect/fields.py on the example site's own front matter, read with the project's YAML loader,
and on values taken from the sample site's posts: what each key becomes, what a bad value
reports (file, field, message, severity). Fast on purpose: the mutation run (docs/testing.md)
runs these for every mutant of collect/fields.py."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from conftest import EXAMPLE_SITE

from syndicate.collect.fields import BadPost, coerce_post, language_key, post_date, split_authors, split_words
from syndicate.config import load_settings
from syndicate.front_matter import load_yaml, split_front_matter
from syndicate.model import Media, Post, Problem

PENH = ZoneInfo("Asia/Phnom_Penh")
BASE = "https://example.org/mekong-ledger"
FERRY = "english/_posts/2026-11-02-ferry-crossing-reopens.md"
DOLPHINS = "english/_posts/2026-11-09-river-dolphins-counted.md"
MARKET = "english/_posts/2026-11-19-night-market.md"
RICE_KM = "khmer/_posts/2026-11-05-rice-prices-climb.md"
DRAFT = "english/_posts/2026-11-21-draft-budget.md"
# Values as the sample site's posts write them.
NOU_SARI_MUGSHOT = '/img/mugshot__Nou-Sari--400.jpg"; '
KHMER_BYLINE = "ស្រាវជ្រាវ\u200bនិង\u200bចងក្រង\u200bដោយ ទែន សុខស្រីនិត និង\u200b ហុង ចិន្តា | VOA News"


@pytest.fixture(scope="module")
def settings():
    return load_settings(EXAMPLE_SITE)


def front_matter(source: str, **changes) -> dict:
    """The example post's front matter as the collector reads it, with keys changed (None drops one)."""
    text = (EXAMPLE_SITE / source).read_text(encoding="utf-8")
    meta = load_yaml(split_front_matter(text)[0])[0]
    meta.update(changes)
    return {k: v for k, v in meta.items() if v is not None}


def coerce(meta: dict, settings, source: str = FERRY, folders: tuple[str, ...] | None = None):
    if folders is None:
        folders = tuple(source.split("/_posts/")[0].split("/")) if "/_posts/" in source else ()
    return coerce_post(meta, source=source, folder_categories=folders, settings=settings)


def bad(meta: dict, settings, source: str = FERRY, folders: tuple[str, ...] | None = None) -> Problem:
    with pytest.raises(BadPost) as caught:
        coerce(meta, settings, source, folders)
    assert str(caught.value) == str(caught.value.problem)
    return caught.value.problem


# ---- the whole Post, key by key


def test_the_ferry_post_becomes_the_post_its_front_matter_describes(settings):
    post, problems = coerce(front_matter(FERRY), settings)
    photo = "https://images.example.org/ferry-landing.jpg"
    cutline, credit = "Passengers board the first ferry after the landing reopened.", "(Dara Chan | Mekong Ledger)"
    assert problems == []
    assert post == Post(
        source=FERRY, language="english", slug="ferry-crossing-reopens",
        title="Ferry Crossing Reopens After Flood Repairs", date=datetime(2026, 11, 2, tzinfo=PENH),
        url=BASE + "/english/transport/ferry-crossing-reopens.html",
        path="/english/transport/ferry-crossing-reopens.html", categories=("transport",),
        folder_categories=("english",), tags=(), updated=None,
        summary="The Neak Loeung ferry landing is back in service after three weeks of repairs.",
        authors=("Dara Chan",), dateline="Neak Loeung",
        image=Media(url=photo, mime_type="image/jpeg", caption=cutline, credit=credit, thumbnail=photo),
        youtube=None, translation_ref="/khmer/transport/ferry-crossing-reopens.html",
        extra=(("cutline", cutline), ("credit", credit)),
    )


def test_the_khmer_post_keeps_its_offset_its_script_and_its_site_relative_image(settings):
    post, problems = coerce(front_matter(RICE_KM), settings, RICE_KM)
    assert problems == []
    assert post.date == datetime(2026, 11, 5, 3, tzinfo=timezone.utc) and post.date.utcoffset() == timedelta(hours=7)
    assert post.language == "khmer" and post.categories == ("economy", "agriculture")
    assert post.title == "តម្លៃ\u200bស្រូវ\u200bកើន\u200bឡើង\u200bមុន\u200bរដូវ\u200bប្រាំង"  # inner zero-width spaces kept
    assert post.authors == ("លឹម សុភា",) and post.dateline == "តាកែវ"
    assert post.image == Media(url=BASE + "/img/rice-mill.jpg", mime_type="image/jpeg",
                               thumbnail=BASE + "/img/rice-mill.jpg")


def test_a_post_with_neither_image_nor_video_has_no_media_and_no_translation(settings):
    post, problems = coerce(front_matter(MARKET), settings, MARKET)
    assert problems == [] and post.image is None and post.youtube is None and post.translation_ref is None
    assert post.updated is None and post.extra == () and post.dateline == "Phnom Penh"


def test_the_video_post_shows_the_videos_thumbnail_and_links_to_it(settings):
    post, problems = coerce(front_matter(DOLPHINS), settings, DOLPHINS)
    thumb = "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"
    assert problems == [] and post.youtube == "dQw4w9WgXcQ"
    assert post.image == Media(url=thumb, mime_type="image/jpeg", thumbnail=thumb,
                               link="https://www.youtube.com/watch?v=dQw4w9WgXcQ")


def test_a_photo_wins_over_the_video_thumbnail(settings):
    post, _ = coerce(front_matter(DOLPHINS, image="https://images.example.org/dolphins.jpg"), settings, DOLPHINS)
    assert post.youtube == "dQw4w9WgXcQ" and post.image.url == "https://images.example.org/dolphins.jpg"
    assert post.image.link is None


def test_a_youtube_link_instead_of_an_id_is_named_and_dropped(settings):
    link = "https://youtu.be/dQw4w9WgXcQ"
    post, problems = coerce(front_matter(DOLPHINS, youtube=link), settings, DOLPHINS)
    assert post.youtube is None and post.image is None
    assert problems == [Problem(DOLPHINS, f"not a YouTube video id: {link!r}", field="youtube")]


# ---- which file is a post


def test_an_unpublished_post_is_skipped_without_a_word(settings):
    assert coerce(front_matter(DRAFT), settings, DRAFT) == (None, [])
    post, _ = coerce(front_matter(DRAFT, published=True), settings, DRAFT)
    assert post.title == "Draft Budget Story (Unpublished)"


@pytest.mark.parametrize("when", [None, ""])
def test_a_file_name_without_a_date_and_no_date_in_front_matter_is_an_error(settings, when):
    meta = front_matter(MARKET, date=when)
    meta.pop("date", None) if when is None else None
    assert bad(meta, settings, "english/_posts/README.md") == Problem(
        "english/_posts/README.md", "missing date: the front matter has none and the file name does not "
                                    "start with YYYY-MM-DD-", field="date")


def test_a_dated_file_whose_name_jekyll_skips_is_a_warning(settings):
    assert bad(front_matter(MARKET), settings, "english/_posts/night-market.md") == Problem(
        "english/_posts/night-market.md", "file name is not YYYY-MM-DD-slug.ext: Jekyll does not publish it",
        severity="warning")


@pytest.mark.parametrize("title", [None, "", "<b></b>", "\u200b"])
def test_a_post_without_a_title_is_an_error(settings, title):
    assert bad(front_matter(MARKET, title=title), settings, MARKET) == Problem(MARKET, "missing title", field="title")


# ---- dates, slugs and paths


def test_without_a_front_matter_date_the_file_names_date_is_midnight_on_the_site(settings):
    meta = front_matter(MARKET)
    del meta["date"]
    post, _ = coerce(meta, settings, MARKET)
    assert post.date == datetime(2026, 11, 19, tzinfo=PENH) and post.slug == "night-market"


def test_the_path_takes_the_date_in_the_sites_time_zone_and_a_slug_from_front_matter(settings):
    meta = front_matter(MARKET, date="2026-11-18 23:30:00 +0000", slug="Night Market Returns",
                        permalink="/:categories/:year/:month/:day/:title:output_ext")
    post, _ = coerce(meta, settings, MARKET)
    # 23:30 UTC on the 18th is 06:30 on the 19th in Phnom Penh
    assert post.slug == "Night Market Returns"
    assert post.path == "/english/economy/2026/11/19/Night%20Market%20Returns.html"
    assert post.url == BASE + post.path


def test_the_sites_permalink_applies_when_the_post_has_none(settings):
    post, _ = coerce(front_matter(MARKET), replace(settings, permalink="pretty"), MARKET)
    assert post.path == "/english/economy/2026/11/19/night-market/"


def test_last_modified_at_or_updated_becomes_the_update_time(settings):
    both = front_matter(FERRY, last_modified_at="2026-11-03 08:15:00 +0700", updated=date(2026, 11, 4))
    assert coerce(both, settings)[0].updated == datetime(2026, 11, 3, 1, 15, tzinfo=timezone.utc)
    only_modified = front_matter(FERRY, last_modified_at=datetime(2026, 11, 3, 8, 15, tzinfo=timezone.utc))
    assert coerce(only_modified, settings)[0].updated == datetime(2026, 11, 3, 8, 15, tzinfo=timezone.utc)
    only_updated = front_matter(FERRY, updated=date(2026, 11, 4))
    assert coerce(only_updated, settings)[0].updated == datetime(2026, 11, 4, tzinfo=PENH)
    only_updated["updated"] = datetime(2026, 11, 4, 9, 0)  # YAML's naive time: the site's zone
    assert coerce(only_updated, settings)[0].updated == datetime(2026, 11, 4, 9, tzinfo=PENH)


def test_a_bad_update_time_is_a_warning_and_the_post_stays(settings):
    post, problems = coerce(front_matter(FERRY, updated="next week"), settings)
    assert post.updated is None and post.title.startswith("Ferry")
    assert problems == [Problem(FERRY, "not a date: 'next week' (Unknown string format)", field="updated",
                                severity="warning")]


# ---- categories, tags and language


def test_categories_join_both_keys_once_without_the_folder_ones(settings):
    meta = front_matter(FERRY, categories="english transport flood", category="transport")
    assert coerce(meta, settings)[0].categories == ("transport", "flood")
    meta = front_matter(FERRY, categories=None, category="transport")
    assert coerce(meta, settings)[0].categories == ("transport",)


def test_tags_join_both_keys_once(settings):
    post, _ = coerce(front_matter(FERRY, tags="flood ferry", tag="ferry neak-loeung"), settings)
    assert post.tags == ("flood", "ferry", "neak-loeung")


def test_over_the_limit_the_first_categories_and_tags_are_kept_with_a_warning(settings):
    meta = front_matter(FERRY, categories="transport flood repairs", tags="ferry mekong")
    post, problems = coerce(meta, replace(settings, max_categories=2))
    assert post.categories == ("transport", "flood") and post.tags == ("ferry", "mekong")
    assert problems == [Problem(FERRY, "3 categories, over the limit of 2 (limits.max_categories): "
                                       "only the first 2 are used", field="categories", severity="warning")]
    post, problems = coerce(meta, replace(settings, max_categories=1))
    assert post.categories == ("transport",) and post.tags == ("ferry",)
    assert [(p.field, p.message.split(",")[0]) for p in problems] == [("categories", "3 categories"),
                                                                     ("tags", "2 tags")]
    assert problems[1] == Problem(FERRY, "2 tags, over the limit of 1 (limits.max_categories): only the first "
                                         "1 are used", field="tags", severity="warning")


def test_the_language_comes_from_front_matter_else_the_first_folder_else_the_first_configured(settings):
    assert coerce(front_matter(RICE_KM, language="Khmer "), settings, RICE_KM)[0].language == "khmer"
    assert coerce(front_matter(RICE_KM, language=None), settings, RICE_KM, ("khmer", "news"))[0].language == "khmer"
    in_news = coerce(front_matter(RICE_KM), settings, "news/_posts/2026-11-05-rice-prices-climb.md")[0]
    assert in_news.language == "khmer" and in_news.path == "/news/economy/agriculture/rice-prices-climb.html"
    no_folder = coerce(front_matter(MARKET, language=None), settings, "_posts/2026-11-19-night-market.md")[0]
    assert no_folder.language == "english" and no_folder.path == "/economy/night-market.html"


def test_a_khmer_byline_splits_on_khmers_and(settings):
    byline = "ទែន សុខស្រីនិត និង ហុង ចិន្តា"
    assert coerce(front_matter(RICE_KM, byline=byline), settings, RICE_KM)[0].authors == ("ទែន សុខស្រីនិត", "ហុង ចិន្តា")
    # the same byline on an English post: "និង" is not English's "and"
    assert coerce(front_matter(FERRY, byline=byline), settings)[0].authors == (byline,)


def test_the_byline_wins_over_author_and_summary_over_description(settings):
    meta = front_matter(FERRY, byline=None, author="Chenda Hong and Ten Soksreinith", summary=None,
                        description="Repairs are done.")
    post, _ = coerce(meta, settings)
    assert post.authors == ("Chenda Hong", "Ten Soksreinith") and post.summary == "Repairs are done."
    post, _ = coerce(front_matter(FERRY, author="Someone Else", description="Repairs are done."), settings)
    assert post.authors == ("Dara Chan",) and post.summary.startswith("The Neak Loeung ferry")
    post, _ = coerce(front_matter(FERRY, byline=None, summary=None, dateline=None, translation=None), settings)
    assert post.authors == () and post.summary is None and post.dateline is None and post.translation_ref is None


def test_scalar_page_variables_are_kept_for_the_templates_in_a_fixed_order(settings):
    meta = front_matter(FERRY, layout="post", persona=58, mugshot="/img/mugshot__Nou-Sari--400.jpg",
                        thumbnail=["not", "a", "scalar"], credit=None, cutline=None)
    post, problems = coerce(meta, settings)
    assert post.extra == (("persona", "58"), ("mugshot", "/img/mugshot__Nou-Sari--400.jpg"), ("layout", "post"))
    assert problems == [Problem(FERRY, "not a valid URL: ['not', 'a', 'scalar']", field="thumbnail")]


# ---- media


def test_a_mugshot_that_is_no_url_as_written_is_named_with_its_repair(settings):
    post, problems = coerce(front_matter(FERRY, mugshot=NOU_SARI_MUGSHOT), settings)
    assert post is not None
    assert problems == [Problem(FERRY, f"not a valid URL: {NOU_SARI_MUGSHOT!r}; read as "
                                       f"{BASE}/img/mugshot__Nou-Sari--400.jpg", field="mugshot")]


def test_an_image_that_is_no_url_is_named_and_left_out(settings):
    post, problems = coerce(front_matter(FERRY, image="javascript:alert(1)", mugshot=""), settings)
    assert post.image is None
    assert problems == [Problem(FERRY, "not a valid URL: 'javascript:alert(1)'", field="image")]
    post, problems = coerce(front_matter(FERRY, image=["a.jpg"]), settings)
    assert post.image is None and problems == [Problem(FERRY, "not a valid URL: ['a.jpg']", field="image")]


def test_a_bare_file_name_as_image_lives_under_the_site(settings):
    post, problems = coerce(front_matter(FERRY, image="logo__cpp.jpg"), settings)  # as the sample site writes it
    assert problems == [] and post.image.url == BASE + "/logo__cpp.jpg"


def test_the_images_type_thumbnail_and_caption(settings):
    meta = front_matter(FERRY, image="/img/ferry.png?w=1023", thumbnail="https://placehold.it/640x360",
                        cutline=None, caption="The landing at dawn.", credit="")
    image = coerce(meta, settings)[0].image
    assert image == Media(url=BASE + "/img/ferry.png?w=1023", mime_type="image/png", caption="The landing at dawn.",
                          credit=None, thumbnail="https://placehold.it/640x360")
    meta = front_matter(FERRY, image="https://gdb.voanews.com/F96A8E04_w1023_575_s", cutline="<em>Dawn</em>")
    assert coerce(meta, settings)[0].image.mime_type == "image/jpeg"
    assert coerce(meta, settings)[0].image.caption == "Dawn"
    # the type is the path's, not the query's, even when the query holds a "?" of its own
    meta = front_matter(FERRY, image="https://images.example.org/ferry.png?src=ferry.jpg?v2")
    assert coerce(meta, settings)[0].image.mime_type == "image/png"


# ---- dates


@pytest.mark.parametrize("value, expected", [
    (date(2018, 7, 26), datetime(2018, 7, 26, tzinfo=PENH)),
    (datetime(2018, 7, 26, 9, 5), datetime(2018, 7, 26, 9, 5, tzinfo=PENH)),
    (datetime(2018, 7, 26, 9, 5, tzinfo=timezone.utc), datetime(2018, 7, 26, 9, 5, tzinfo=timezone.utc)),
    ("2018-07-26 09:05:00 +0200", datetime(2018, 7, 26, 9, 5, tzinfo=timezone(timedelta(hours=2)))),
    ("  2018-05-01", datetime(2018, 5, 1, tzinfo=PENH)),
    (20180726, datetime(2018, 7, 26, tzinfo=PENH)),
    ("July 2018", datetime(2018, 7, 1, tzinfo=PENH)),  # no day: the first, whatever today is
    ("", datetime(2018, 7, 20, tzinfo=PENH)),  # empty: the file name's date
    (None, datetime(2018, 7, 20, tzinfo=PENH)),
])
def test_post_dates_are_aware_in_the_sites_zone_unless_they_say_otherwise(value, expected):
    when = post_date(value, "2018-07-20", PENH, "x.md")
    assert when == expected and when.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("value, message", [
    ("next week", "not a date: 'next week' (Unknown string format)"),
    ("2018-02-30", "not a date: '2018-02-30' (day is out of range for month)"),
    ("2018-07-29 10:30 or 11:00", "not a date: '2018-07-29 10:30 or 11:00' (Unknown string format)"),
    ("10:30", "impossible date: '10:30' (a year from 1000 to 9998 and a time zone offset under 24 hours)"),
    ("99999999999999999999", "not a date: '99999999999999999999' (Python int too large to convert to C long)"),
    (True, "not a date: True"),
    (["2018-07-26"], "not a date: ['2018-07-26']"),
    ("0018-07-26", "impossible date: '0018-07-26' (a year from 1000 to 9998 and a time zone offset under 24 hours)"),
    ("2018-07-26 10:00 +2500", "impossible date: '2018-07-26 10:00 +2500' (a year from 1000 to 9998 and a time "
                               "zone offset under 24 hours)"),
    ("9998-12-31 23:00 -0200", "impossible date: '9998-12-31 23:00 -0200' (a year from 1000 to 9998 and a time "
                               "zone offset under 24 hours)"),
    (date(999, 12, 31), "impossible date: '0999-12-31' (a year from 1000 to 9998 and a time zone offset under "
                        "24 hours)"),
    (datetime(9999, 1, 1, 0, 0), "impossible date: '9999-01-01 00:00:00' (a year from 1000 to 9998 and a time zone "
                                 "offset under 24 hours)"),
])
def test_a_value_that_is_no_possible_date_names_itself_and_why(value, message):
    with pytest.raises(BadPost) as caught:
        post_date(value, "2018-07-20", PENH, "english/_posts/2018-07-20-x.md")
    assert caught.value.problem == Problem("english/_posts/2018-07-20-x.md", message, field="date")


def test_an_update_time_has_no_file_name_to_fall_back_on():
    for value in (None, ""):
        with pytest.raises(BadPost) as caught:
            post_date(value, None, PENH, "x.md")
        assert caught.value.problem == Problem("x.md", "missing date", field="date")


def test_the_years_at_both_ends_and_a_day_on_either_side_of_them_in_utc():
    assert post_date("1000-01-01 00:00 +0000", None, PENH, "x.md").year == 1000
    assert post_date("9998-12-31 23:59 +0000", None, PENH, "x.md").year == 9998
    with pytest.raises(BadPost):  # 1000 locally, 999 in UTC
        post_date("1000-01-01 00:30 +0100", None, PENH, "x.md")


def test_a_local_mean_time_offset_is_kept_in_utc_and_a_whole_minute_one_as_written():
    # Phnom Penh kept local mean time (+06:59:40) until 1906; no feed format writes seconds of offset
    old = post_date(date(1904, 3, 1), None, PENH, "x.md")
    assert old == datetime(1904, 2, 29, 17, 0, 20, tzinfo=timezone.utc) and old.utcoffset() == timedelta(0)
    later = post_date(date(1970, 4, 11), None, PENH, "x.md")
    assert later.utcoffset() == timedelta(hours=7) and later.tzinfo == PENH


def test_dates_do_not_depend_on_the_machines_time_zone(monkeypatch):
    for zone in ("America/New_York", "Asia/Kolkata"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        old = post_date(date(1904, 3, 1), None, PENH, "x.md")
        assert old.utcoffset() == timedelta(0) and old.hour == 17
        with pytest.raises(BadPost):  # 1000 locally, 999 in UTC, whatever the machine's zone
            post_date("1000-01-01 00:30 +0100", None, PENH, "x.md")
    monkeypatch.undo()
    time.tzset()


def test_a_long_bad_value_is_quoted_cut_short():
    cutline = ("Cambodia's armed forces display anti-riot gear and assault rifles at the Olympic stadium ahead "
               "of a general election this weekend")
    with pytest.raises(BadPost) as caught:
        post_date(cutline, None, PENH, "x.md")
    shown = repr(cutline)[:79] + "…"
    assert caught.value.problem.message == f"not a date: {shown} (Unknown string format)"
    exactly = "x" * 78  # 80 characters with its quotes: shown whole
    with pytest.raises(BadPost) as caught:
        post_date(exactly, None, PENH, "x.md")
    assert caught.value.problem.message == f"not a date: {exactly!r} (Unknown string format)"


# ---- words, names and text


def test_categories_as_a_string_or_a_list():
    assert split_words("economy  agriculture") == ("economy", "agriculture")
    assert split_words(["Hot  Topics", 2018, 2.5, True, None, {"a": 1}, " "]) == ("Hot Topics", "2018", "2.5")
    assert split_words(2018) == ("2018",) and split_words(None) == ()
    assert split_words("cafe\u0301") == ("café",)


@pytest.mark.parametrize("byline, code, authors", [
    ("Chenda Hong and Ten Soksreinith", "en", ("Chenda Hong", "Ten Soksreinith")),
    ("By David Boyle & Sun Narin", "en", ("David Boyle", "Sun Narin")),
    ("Sun Narin, Ten Soksreinith; Hong Chenda", "en", ("Sun Narin", "Ten Soksreinith", "Hong Chenda")),
    (KHMER_BYLINE, "km", ("ស្រាវជ្រាវ\u200bនិង\u200bចងក្រង\u200bដោយ ទែន សុខស្រីនិត", "ហុង ចិន្តា | VOA News")),
    ("Sandy Anderson", "en", ("Sandy Anderson",)),
    ("ទែន សុខស្រីនិត,\u200b ហុង ចិន្តា", "km", ("ទែន សុខស្រីនិត", "ហុង ចិន្តា")),
    ("", "en", ()),
])
def test_bylines_split_on_list_marks_and_the_languages_and(byline, code, authors):
    assert split_authors(byline, code) == authors


def test_language_keys_fold_to_the_sites_own_names(settings):
    assert language_key("Khmer ", settings) == "khmer" and language_key("../english", settings) == "english"
    assert language_key("French", settings) == "french" and language_key("", settings) == "english"
    assert language_key("..", replace(settings, languages={})) == "default"


@pytest.mark.parametrize("raw, plain", [
    ("Hun Sen &amp; the <em>CPP</em>", "Hun Sen & the CPP"),
    ("&lt;script&gt;alert(1)&lt;/script&gt;Vote", "Vote"),
    ("&amp;lt;b&amp;gt;Bold&amp;lt;/b&amp;gt;", "Bold"),  # markup escaped twice
    ("\u200b Ten Soksreinith\ufeff", "Ten Soksreinith"),
    ("AT&T", "AT&T"),
    ("1 < 2", "1 < 2"),
    ("Bell\x07 &#1;ringing", "Bell ringing"),
    ("&#x200B;Hun Sen&#xFEFF;", "Hun Sen"),
    # escaped three times: still no tag in the title (a fix: the third decoding used to leave one)
    ("&amp;amp;lt;script&amp;amp;gt;alert(1)&amp;amp;lt;/script&amp;amp;gt;Vote", "Vote"),
    ("&amp;amp;lt;b&amp;amp;gt;Bold&amp;amp;lt;/b&amp;amp;gt; &amp;amp;amp; more", "Bold & more"),
    ("Vote&amp;amp;#8203;&amp;amp;lt;script&amp;amp;gt;x&amp;amp;lt;/script&amp;amp;gt;", "Vote"),
    # four times: decoding stops at three, and what is left is text
    ("&amp;amp;amp;lt;b&amp;amp;amp;gt;Bold", "&lt;b&gt;Bold"),
])
def test_titles_are_plain_text(settings, raw, plain):
    post, _ = coerce(front_matter(MARKET, title=raw), settings, MARKET)
    assert post.title == plain
