"""Digest localisation: CLDR dates through Babel, native digits, catalogues with English fallback."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timezone

import pytest
from babel import Locale

from syndicate.i18n import localizer, native_digits
from syndicate.sources import templates_dir

MESSAGES = templates_dir() / "messages"
KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"


def test_english_dates():
    en = localizer("en", MESSAGES)
    assert en.date(date(2018, 7, 28)) == "July 28, 2018"
    assert en.span(date(2018, 7, 24), date(2018, 7, 30)) == "Jul 24\u2009–\u200930, 2018"  # CLDR: thin spaces


def test_khmer_dates_have_khmer_month_names_and_digits():
    km = localizer("km", MESSAGES)
    assert km.date(date(2018, 7, 28)) == "ថ្ងៃទី២៨ ខែកក្កដា ឆ្នាំ២០១៨"
    assert km.span(date(2018, 7, 24), date(2018, 7, 30)) == "២៤ – ៣០ កក្កដា ២០១៨"
    assert km.number(2018) == "២០១៨"


def test_windows_shorter_than_a_day_show_their_hours():
    start, end = datetime(2018, 7, 28, 0, tzinfo=timezone.utc), datetime(2018, 7, 28, 6, tzinfo=timezone.utc)
    assert localizer("en", MESSAGES).span_times(start, end) == "July 28, 2018, 00:00\u2009–\u200906:00"
    assert localizer("km", MESSAGES).span_times(start, end) == "ថ្ងៃទី២៨ ខែកក្កដា ឆ្នាំ២០១៨, ០០:០០ – ០៦:០០"


def test_native_digits_come_from_cldr_not_from_the_default_numbering():
    assert Locale("km").default_numbering_system == "latn"  # why the catalogue must ask on purpose
    assert native_digits(Locale("km")) == KHMER_DIGITS
    assert native_digits(Locale("en")) is None


def test_plural_labels_follow_cldr_rules():
    en, km = localizer("en", MESSAGES), localizer("km", MESSAGES)
    assert en.label("stories", count=1) == "1 story"
    assert en.label("stories", count=12) == "12 stories"
    assert km.label("stories", count=12) == "១២ អត្ថបទ"


def test_every_catalogue_names_only_labels_english_has():
    english = tomllib.loads((MESSAGES / "en.toml").read_text(encoding="utf-8"))
    for path in MESSAGES.glob("*.toml"):
        other = tomllib.loads(path.read_text(encoding="utf-8"))
        assert set(other.get("labels", {})) <= set(english["labels"]), path.name
        assert set(other.get("format", {})) <= set(english["format"]), path.name


def test_language_without_a_catalogue_gets_english_labels_and_its_own_dates():
    fr = localizer("fr", MESSAGES)
    assert fr.label("read_more") == localizer("en", MESSAGES).label("read_more")
    assert fr.date(date(2018, 7, 28)) == "28 juillet 2018"


def test_config_overrides_a_label():
    km = localizer("km", MESSAGES, (("read_more", "អានទាំងស្រុង"),))
    assert km.label("read_more") == "អានទាំងស្រុង"
    assert km.label("unsubscribe") == localizer("km", MESSAGES).label("unsubscribe")


def test_language_names_are_in_the_digests_language():
    assert localizer("en", MESSAGES).language_name("km") == "Khmer"
    assert localizer("km", MESSAGES).language_name("en") == "អង់គ្លេស"


@pytest.mark.parametrize("code", ["xx", "not-a-locale"])
def test_unknown_locales_fall_back_to_english(code):
    assert localizer(code, MESSAGES).date(date(2018, 7, 28)) == "July 28, 2018"
