"""Text hygiene shared by every output: what XML 1.0 cannot carry is removed."""

from __future__ import annotations

import re

# XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
# DEL and the C1 controls are legal XML but "discouraged", and YAML refuses them: they go too.
# Written as the characters that are out (the complement of the above), which compiles ten
# times faster than the negated class: this module loads on every build.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def counted(n: int, noun: str) -> str:
    """'1 error', '2 warnings': a count with its noun, in English (regular plurals only)."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def xml_safe(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)
