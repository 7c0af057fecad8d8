"""Language keys as sites name them ("english", "khmer", "en") to ISO 639-1 codes, via CLDR."""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError


@cache
def _names_to_codes() -> dict[str, str]:
    # CLDR's English names of languages ("Khmer" -> "km"); two-letter codes only.
    names = Locale("en").languages
    return {name.casefold(): code for code, name in names.items() if len(code) == 2}


def language_code(key: str) -> str:
    """The ISO 639-1 code for a site's language key; the key itself when it is unknown."""
    folded = key.strip().casefold()
    if len(folded) == 2 and folded.isalpha():
        return folded
    return _names_to_codes().get(folded, folded)


def language_direction(code: str) -> str:
    try:
        return "rtl" if Locale.parse(code.replace("-", "_")).character_order == "right-to-left" else "ltr"
    except (UnknownLocaleError, ValueError, TypeError):
        return "ltr"
