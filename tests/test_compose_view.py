"""The digest view (digest/compose.py `build_view`) of real posts of the example site: what each
item shows, labels, subject, preheader, edition label and how many posts are shown in full.
Fast on purpose (the example site, no sample-site build): the mutation run (docs/testing.md)
runs these for every mutant of compose.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from syndicate.config import load_settings
from syndicate.digest import DigestError, DigestSpec
from syndicate.digest.compose import IMAGE_ALT_LIMIT, ImageView, LinkView, build_view, with_list_cut
from syndicate.digest.window import window_for_day
from syndicate.i18n import localizer
from syndicate.model import Media
from syndicate.pipeline.site import Site
from syndicate.sources import templates_dir

BASE = "https://example.org/mekong-ledger"


@pytest.fixture(scope="module")
def site(example_site):
    settings = load_settings(example_site)
    with Site.open(settings, None) as opened:
        newest = sorted(opened.entries(), key=lambda e: -e.timestamp)
        posts = {lang: [opened.rendered(opened.post(e.source)) for e in newest if e.language == lang][:3]
                 for lang in ("english", "khmer")}
    return settings, posts


def view(site, language="english", period="weekly", day=date(2026, 11, 20), settings=None, **spec_fields):
    base_settings, posts = site
    settings = settings or base_settings
    spec = DigestSpec.for_site(settings, language, period, **spec_fields)
    window = window_for_day(day, period, spec.cutoff_time, settings.timezone)
    loc = localizer(settings.language(language).code, templates_dir() / "messages", spec.labels)
    return build_view(posts[language], settings=settings, spec=spec, window=window, tz=settings.timezone, loc=loc,
                      archive_url="https://feeds.example.org/a.html")


def test_each_item_shows_place_date_byline_image_and_translation(site):
    market, school, chief = view(site).items
    assert (market.id, market.url, market.title) == (f"{BASE}/english/economy/night-market.html",
                                                    f"{BASE}/english/economy/night-market.html",
                                                    "A Night Market Returns to the Riverside")
    assert market.dateline == "Phnom Penh · November 19, 2026" and chief.dateline == "November 12, 2026"
    assert market.summary == "Vendors are back on the Sisowath Quay promenade after two years away."  # the editor's
    no_summary = replace(site[1]["english"][0], post=replace(site[1]["english"][0].post, summary=None))
    assert view((site[0], {"english": [no_summary]})).items[0].summary == no_summary.summary  # else the body's
    assert (market.byline, school.byline) == ("By Dara Chan", "By Sophea Lim")
    assert market.image is None
    assert school.image == ImageView("https://images.example.org/school-boat.jpg",
                                     "School Boats Keep Floating Villages in Class", 552)
    assert (market.translation, chief.translation) == (
        None, LinkView(f"{BASE}/khmer/profile/commune-chief.html", "Read in Khmer", "km"))


def test_khmer_items_use_khmer_dates_and_labels(site):
    chief = view(site, "khmer").items[1]
    assert chief.dateline == "ថ្ងៃទី១២ ខែវិច្ឆិកា ឆ្នាំ២០២៦" and chief.byline == "ដោយ Mark Ellis"
    assert chief.translation == LinkView(f"{BASE}/english/profile/profile-commune-chief.html",
                                         "អានជាភាសាអង់គ្លេស", "en")


def test_the_digest_heading_subject_preheader_and_labels(site):
    weekly = view(site, unsubscribe="*|UNSUB|*")
    assert (weekly.lang, weekly.direction, weekly.site_name) == ("en", "ltr", "Mekong Ledger")
    assert weekly.site_url == f"{BASE}/english/"
    assert (weekly.heading, weekly.period_label) == ("Weekly digest", "Nov 14\u2009–\u200920, 2026")
    assert weekly.subject == "A Night Market Returns to the Riverside · Nov 14 – 20, 2026"  # the lead story
    assert view(site, subject_headline=False).subject == "Mekong Ledger · Nov 14 – 20, 2026"
    assert weekly.preheader.startswith("3 stories: A Night Market Returns to the Riverside · School Boats")
    assert weekly.preheader.endswith("…") and len(weekly.preheader) <= 140
    assert (weekly.archive_url, weekly.unsubscribe) == ("https://feeds.example.org/a.html", "*|UNSUB|*")
    assert weekly.labels == {
        "read_more": "Read more", "more": "More in this digest", "empty": "No new stories in this period.",
        "footer": "You receive this email because you subscribed to Mekong Ledger.",
        "view_in_browser": "View in your browser", "unsubscribe": "Unsubscribe", "stories": "3 stories",
        "preferences": "Update your preferences"}
    daily = view(site, period="daily")
    assert (daily.heading, daily.period_label) == ("Daily digest", "November 20, 2026")


def test_custom_periods_label_their_hours_or_their_days(site):
    six_hours = view(site, period=21600)
    assert six_hours.heading == view(site, period=2 * 86400).heading != "Weekly digest"
    assert "00:00" in six_hours.period_label and "06:00" in six_hours.period_label
    assert view(site, period=2 * 86400).period_label == "Nov 19\u2009–\u200920, 2026"


def test_max_items_and_the_rest_listed(site):
    assert view(site).shown_in_full == 3
    one = view(site, max_items=1)
    assert (one.shown_in_full, len(one.full), len(one.listed)) == (1, 1, 2)
    assert one.listed == one.items[1:]


def test_a_subject_template_and_right_to_left_languages(site):
    settings, _ = site
    rtl = replace(settings, languages={**settings.languages,
                                       "english": replace(settings.language("english"), direction="rtl")})
    made = view(site, settings=rtl, subject_template="{{ count }} from {{ site }}\n on {{ date }}")
    assert made.subject == "3 from Mekong Ledger on Nov 14 – 20, 2026" and made.direction == "rtl"
    with pytest.raises(DigestError, match="subject template"):
        view(site, subject_template="{{ nope }}")


def test_a_video_shows_its_thumbnail_and_long_captions_are_cut(site):
    settings, posts = site
    dolphins = view(site, "khmer").items[2]
    assert dolphins.image.src == "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"  # not the watch page
    school = posts["english"][1]
    captioned = replace(school, media=(replace(school.media[0], caption="b" + "a " * 100,
                                               thumbnail="https://images.example.org/small.jpg"),))
    unusable = replace(school, media=(Media("javascript:alert(1)"),))
    image = view((settings, {"english": [captioned, unusable]})).items[0].image
    assert image.src == "https://images.example.org/small.jpg"  # the thumbnail, when there is one
    # at most IMAGE_ALT_LIMIT (100) characters; a word ends at every even length here
    assert image.alt.startswith("ba a a") and image.alt.endswith("…") and len(image.alt) == IMAGE_ALT_LIMIT - 1
    assert view((settings, {"english": [unusable]})).items[0].image is None


def test_the_preheader_names_the_first_three_titles_and_an_empty_digest_says_so(site):
    settings, posts = site
    english = posts["english"]
    short = [replace(r, post=replace(r.post, title=t)) for r, t in zip(english * 2, "ABCD", strict=False)]
    assert view((settings, {"english": short})).preheader == "4 stories: A · B · C"
    assert view((settings, {"english": []})).preheader == "No new stories in this period."
    long = [replace(english[0], post=replace(english[0].post, title="a " * 100))]
    preheader = view((settings, {"english": long})).preheader
    assert preheader.startswith("1 story: a a a") and preheader.endswith("…") and len(preheader) == 139


def test_a_post_without_authors_has_no_byline(site):
    settings, posts = site
    anonymous = replace(posts["english"][0], post=replace(posts["english"][0].post, authors=()))
    assert view((settings, {"english": [anonymous]})).items[0].byline is None


def test_the_footer_fields_come_from_the_spec_with_the_address_on_one_line(site):
    made = view(site, postal_address="  Mekong Ledger\n   12 Sisowath Quay\tPhnom Penh ",
                preferences_url="https://example.org/prefs?id=*|UNIQID|*")
    assert made.postal_address == "Mekong Ledger 12 Sisowath Quay Phnom Penh"
    assert made.preferences_url == "https://example.org/prefs?id=*|UNIQID|*"
    assert (view(site).postal_address, view(site).preferences_url) == ("", "")


def test_outlook_gets_the_catalogues_font_unless_it_could_break_out_of_the_style(site):
    assert view(site).outlook_font == "'Segoe UI', Arial, sans-serif"
    assert view(site, "khmer").outlook_font == "'Khmer UI', 'Leelawadee UI', sans-serif"
    settings, posts = site
    spec = DigestSpec.for_site(settings, "english", "weekly")
    window = window_for_day(date(2026, 11, 20), "weekly", spec.cutoff_time, settings.timezone)
    loc = localizer("en", templates_dir() / "messages")
    hostile = replace(loc, outlook_font="Arial; } body { background: url(x) }")
    made = build_view(posts["english"], settings=settings, spec=spec, window=window, tz=settings.timezone,
                      loc=hostile, archive_url="")
    assert made.outlook_font == "Arial, sans-serif"


def test_an_empty_digest_gives_a_subject_template_an_empty_headline(site):
    settings, _ = site
    made = view((settings, {"english": []}), subject_template="[{{ headline }}] {{ count }} on {{ site }}")
    assert made.subject == "[] 0 on Mekong Ledger"


@pytest.mark.parametrize(("listed", "label"), [(0, "2 more stories on Mekong Ledger"),
                                               (1, "1 more story on Mekong Ledger"), (2, ""), (5, "")])
def test_a_list_cut_lists_that_many_titles_and_counts_the_rest(site, listed, label):
    full = view(site, max_items=1)  # 3 posts: 1 in full, 2 after it
    cut = with_list_cut(full, listed, localizer("en", templates_dir() / "messages"))
    assert cut.listed == full.items[1:1 + listed] and cut.listed_at_most == listed
    assert cut.unlisted == max(0, 2 - listed) and cut.unlisted_label == label
    assert cut.full == full.full and cut.items == full.items


def test_a_list_cut_names_the_rest_in_the_lists_language(site):
    full = view(site, "khmer", max_items=1)
    cut = with_list_cut(full, 0, localizer("km", templates_dir() / "messages"))
    assert cut.unlisted_label.startswith("២") and full.site_name in cut.unlisted_label
