"""Words, dates and numbers in a reader's language, for digests and for the subscriber pages.

Labels come from `templates/messages/<code>.toml` laid over `en.toml` (so a missing label falls
back to English), then from the spec's overrides. Dates, ranges, lists and language names come
from CLDR through Babel. Digits: CLDR's default numbering for some locales is Latin even where
the script has its own digits (Khmer: 2018, not ២០១៨), so a catalogue asks for the native
digits on purpose with `numbering = "native"`.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import tomllib
import unicodedata
from array import array
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import regex
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_interval
from babel.lists import format_list

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_DIGIT = re.compile(r"\d")  # a decimal digit of any script (Unicode category Nd)


class CatalogueError(Exception):
    """One of the package's own message catalogues (templates/messages/*.toml) cannot be read."""


@dataclass(frozen=True, slots=True)
class Localizer:
    locale: Locale
    labels: dict[str, str]  # flat: "stories.one" for plural forms
    date_format: str  # a CLDR width ("long") or pattern
    digits: str | None  # the ten digits to write numbers with; None keeps Latin digits
    subject_template: str  # Jinja, with site, date and count
    headline_subject_template: str  # Jinja, with headline, site, date and count
    outlook_font: str  # the CSS font-family Outlook for Windows is told to use (it reads one name)

    def label(self, key: str, **values: object) -> str:
        """The label `key` with its {placeholders} filled; a `count` value picks the plural form."""
        text = None
        if isinstance(values.get("count"), int):
            text = self.labels.get(f"{key}.{self.locale.plural_form(values['count'])}") or self.labels.get(f"{key}.other")
            values["count"] = self.number(values["count"])
        if text is None:
            text = self.labels[key]
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)

    def number(self, n: int) -> str:
        return self.native(str(n))

    def native(self, text: str) -> str:
        """`text` with its ASCII digits written in the catalogue's numbering system."""
        return text.translate(str.maketrans("0123456789", self.digits)) if self.digits else text

    def date(self, day: dt.date) -> str:
        return self.native(format_date(day, self.date_format, locale=self.locale))

    def span(self, first: dt.date, last: dt.date) -> str:
        """A range of days in CLDR's interval form ("Jul 24 – 30, 2018")."""
        if first == last:
            return self.date(first)
        return self.native(format_interval(first, last, "yMMMd", locale=self.locale))

    def span_times(self, start: dt.datetime, end: dt.datetime) -> str:
        """Hours from a day, for windows shorter than one ("July 28, 2018, 00:00 – 06:00"), joined
        the locale's way."""
        hours = format_interval(start.time(), end.time(), "Hm", locale=self.locale)
        joined = self.locale.datetime_formats["medium"].replace("{1}", self.date(start)).replace("{0}", hours)
        return self.native(joined.replace("'", ""))

    def names(self, names: tuple[str, ...]) -> str:
        return format_list(list(names), locale=self.locale)

    def language_name(self, code: str) -> str:
        """Another language's name in this one ("Khmer", "អង់គ្លេស"); the code when CLDR has none."""
        return self.locale.languages.get(code.split("-")[0], code)


def localizer(code: str, messages_dir: Path, overrides: tuple[tuple[str, str], ...] = ()) -> Localizer:
    """The localizer for a language code, its catalogue laid over English."""
    base = _catalogue(messages_dir / "en.toml")
    own = _catalogue(messages_dir / f"{code}.toml") if code != "en" else {}
    labels = {**base.get("labels", {}), **own.get("labels", {}), **dict(overrides)}
    fmt = {**base.get("format", {}), **own.get("format", {})}
    locale = _locale(code)
    digits = native_digits(locale) if fmt.get("numbering") == "native" else None
    return Localizer(locale, labels, str(fmt.get("date", "long")), digits, str(fmt["subject"]),
                     str(fmt["subject_headline"]), str(fmt["outlook_font"]))


def native_digits(locale: Locale) -> str | None:
    """The ten digits of the locale's native numbering system (CLDR's `native`), found through
    the script that system is named after ("khmr": Khmer digits ០–៩). None when CLDR names no
    native system or Unicode has no digits for it."""
    system = locale.other_numbering_systems.get("native") if locale.other_numbering_systems else None
    if not system or system == "latn":
        return None
    try:
        in_script = regex.compile(rf"\p{{Script={system}}}")
    except regex.error:
        return None
    zero = next((z for z in _decimal_zeros() if in_script.match(z)), None)
    return "".join(chr(ord(zero) + i) for i in range(10)) if zero else None


@cache
def _decimal_zeros() -> tuple[str, ...]:
    # Unicode keeps each script's decimal digits 0-9 contiguous, so the zero names the set. The
    # code points up to plane 2 are decoded as one string and searched with `\d` (Unicode's Nd):
    # a third of the time of a loop over 131,072 characters, paid by every build of Khmer pages.
    every = array("I", range(0x20000)).tobytes().decode(f"utf-32-{sys.byteorder[0]}e", "surrogatepass")
    return tuple(digit for digit in _DIGIT.findall(every) if unicodedata.decimal(digit) == 0)


@cache
def _catalogue(path: Path) -> dict:
    """A message catalogue, its nested label tables flattened to dotted keys. Empty when absent."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path}: cannot read: {exc}") from exc
    return {"format": data.get("format", {}), "labels": dict(_flatten(data.get("labels", {})))}


def _flatten(table: dict, prefix: str = ""):
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", str(value)


def _locale(code: str) -> Locale:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")
