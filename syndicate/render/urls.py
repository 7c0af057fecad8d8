"""Absolute URLs from the relative, and sometimes broken, values editors write."""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import quote, urljoin, urlsplit

# Editors paste values like `/img/mugshot.jpg";` into YAML: quotes, semicolons and
# commas around a URL are never part of it.
_JUNK = "\"'`;, \t\r\n"
# Characters that mark a value as prose or markup rather than a URL.
_NOT_URL = re.compile(r"[<>\"\x00-\x1f\x7f]")
# Everything RFC 3986 allows unescaped (plus `%` for existing escapes); spaces and
# non-ASCII get percent-encoded so feed validators accept the result.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
_WEB = ("http", "https")
# Nearly every link is a plain absolute URL or a plain root-relative path: those two are
# recognised without urllib, which is slow enough to show in a build.
_URL_CHARS = r"[A-Za-z0-9._~!$&'()*+,;=:@%/?#-]"
_PLAIN_ABSOLUTE = re.compile(rf"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#]{_URL_CHARS}*)?")
_PLAIN_ROOT_PATH = re.compile(rf"/(?![/.]){_URL_CHARS}*")


def absolute_url(value: object, base: str) -> str | None:
    """The absolute http(s) URL for a front-matter `value`, or None when it is unusable.

    Root-relative (`/img/x.jpg`) and bare relative (`img/x.jpg`) values live under the
    site's base URL, as Jekyll's `{{ site.baseurl }}{{ page.image }}` would put them.
    """
    if not isinstance(value, str):
        return None
    return resolve_url(value.strip(_JUNK), base, base.rstrip("/") + "/")


def resolve_url(value: str, base: str, page: str, schemes: Collection[str] = _WEB) -> str | None:
    """`value` made absolute: `/x` under the site `base`, `x` against the `page` URL.

    None when it is empty, not a URL, or uses a scheme outside `schemes`.
    """
    value = value.strip()
    if _PLAIN_ABSOLUTE.fullmatch(value):
        return value
    if _PLAIN_ROOT_PATH.fullmatch(value):
        return _under_base(value, base)
    if not value or _NOT_URL.search(value):
        return None
    value = quote(value, safe=_URL_SAFE)
    if value.startswith("//"):
        value = "https:" + value
    elif value.startswith("/"):
        value = _under_base(value, base)
    parts = urlsplit(urljoin(page, value))
    if parts.scheme not in schemes or (parts.scheme in _WEB and not parts.netloc):
        return None
    return parts.geturl()


def _under_base(path: str, base: str) -> str:
    """A root-relative path under the site's base; one that already starts with the base's own
    path (`{{ site.baseurl }}/img/x.jpg`, `relative_url`) is not given it twice."""
    base = base.rstrip("/")
    prefix = urlsplit(base).path if "/" in base.partition("//")[2] else ""
    if prefix and (path == prefix or path.startswith(prefix + "/")):
        return base[: len(base) - len(prefix)] + path
    return base + path


def resolve_srcset(value: str, base: str, page: str) -> str | None:
    """A `srcset` with each candidate URL made absolute; candidates that fail are dropped."""
    candidates = []
    for candidate in value.split(","):
        url, _, descriptor = candidate.strip().partition(" ")
        if absolute := resolve_url(url, base, page):
            candidates.append(f"{absolute} {descriptor.strip()}".rstrip())
    return ", ".join(candidates) or None
