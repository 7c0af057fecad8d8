"""Jekyll's permalink rules: styles, placeholders, and how categories become path segments."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_PLACEHOLDER = re.compile(r":([a-z_]+)")
# Characters Jekyll (Addressable) leaves unescaped in a path.
_PATH_SAFE = "/:@!$&'()*+,;=~-._"
# English names whatever the process locale, as Jekyll writes them.
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def permalink_path(template: str, *, date: datetime, slug: str, categories: tuple[str, ...],
                   output_ext: str = ".html") -> str:
    """The URL path Jekyll gives a post; `date` in the site's time zone."""
    pattern = STYLES.get(template, template)
    values = {
        "year": f"{date.year:04d}", "short_year": f"{date.year % 100:02d}",
        "month": f"{date.month:02d}", "i_month": str(date.month),
        "short_month": _MONTHS[date.month - 1][:3], "long_month": _MONTHS[date.month - 1],
        "day": f"{date.day:02d}", "i_day": str(date.day),
        "y_day": f"{date.timetuple().tm_yday:03d}",
        "short_day": _DAYS[date.weekday()][:3], "long_day": _DAYS[date.weekday()],
        "week": f"{date.isocalendar()[1]:02d}", "w_year": str(date.isocalendar()[0]),
        "hour": f"{date.hour:02d}", "minute": f"{date.minute:02d}", "second": f"{date.second:02d}",
        "title": slug, "slug": slug, "name": slug,
        "categories": "/".join(dict.fromkeys(c.casefold() for c in categories)),
        "output_ext": output_ext,
    }
    # Longest names first, so ":short_year" is never read as ":short" + "_year".
    path = _PLACEHOLDER.sub(lambda m: _longest(m.group(1), values), pattern)
    # Jekyll's URL#sanitize_url: no `..` or `./` survives, whatever a category or slug holds.
    path = re.sub(r"/{2,}", "/", ("/" + path).replace("..", "/").replace("./", ""))
    return quote(path, safe=_PATH_SAFE)


def _longest(name: str, values: dict[str, str]) -> str:
    for end in range(len(name), 0, -1):
        if name[:end] in values:
            return values[name[:end]] + name[end:]
    return ":" + name
