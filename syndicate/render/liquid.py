"""Jekyll's Liquid in post bodies, resolved without a site: media includes become HTML,
everything else is removed, and each removal that loses content is reported.

Only `{{ site.baseurl }}` and `{{ site.url }}` can be resolved here: both stand for the
site's base URL, which the URL pass adds to any root-relative link anyway.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from syndicate.model import Media, Problem
from syndicate.render import media

log = logging.getLogger(__name__)

# Like Liquid's own lexer: a tag runs to the first `%}`, so values may span lines.
_MARKUP = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}|\{\{-?(.*?)-?\}\}", re.S)
_ENDRAW = re.compile(r"\{%-?\s*endraw\s*-?%\}")
_INCLUDE = re.compile(r"\s*(\S*)(.*)", re.S)
# Jekyll's include parameter syntax; bare values are literals or (unresolvable) variables.
_PARAM = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([\w.-]+))""")
_LITERAL = re.compile(r"true|false|-?\d+(?:\.\d+)?")
_SPACE = re.compile(r"[ \t\r\n]+")
# Block tags whose content cannot be evaluated without the site: dropped whole.
_BLOCKS = frozenset({"if", "unless", "case", "for", "tablerow", "capture", "comment"})
_QUIET = frozenset({"comment", "capture", "assign"})  # no output in Jekyll either
_BASE_VARIABLES = frozenset({"site.baseurl", "site.url"})


@dataclass(frozen=True, slots=True)
class Expanded:
    text: str
    problems: tuple[Problem, ...]
    media: tuple[Media, ...]


def expand_liquid(text: str, base_url: str, source: str, first_line: int = 1) -> Expanded:
    """`text` with every Liquid tag and expression replaced by HTML or removed."""
    if "{%" not in text and "{{" not in text:
        return Expanded(text, (), ())
    out: list[str] = []
    problems: list[Problem] = []
    found: list[Media] = []
    pos = 0
    while match := _MARKUP.search(text, pos):
        out.append(text[pos : match.start()])
        pos = match.end()
        tag, markup, expression = match.groups()
        message = None
        if tag is None:
            variable = expression.split("|")[0].strip()
            if variable not in _BASE_VARIABLES:
                message = f"Liquid expression {variable or '(empty)'} dropped"
        elif tag == "include":
            name, params = _INCLUDE.match(markup).groups()
            rendered = _include(name, _params(params), base_url)
            if isinstance(rendered, str):
                message = f"include {name or '(no name)'} dropped: {rendered}"
            else:
                # A blank line on each side makes the figure an HTML block of its own,
                # even when text follows the tag on the same line.
                out.append(f"\n\n{rendered[0]}\n\n")
                found.append(rendered[1])
        elif tag == "raw":
            end = _ENDRAW.search(text, pos)
            out.append(text[pos : end.start() if end else len(text)])
            pos = end.end() if end else len(text)
        elif tag in _BLOCKS:
            end = _block_end(text, tag, pos)
            if end is None:
                message = f"Liquid {tag} is never closed; the tag alone was dropped"
            else:
                pos = end
                if tag not in _QUIET:
                    message = f"Liquid {tag} block dropped: it cannot be evaluated outside Jekyll"
        elif tag not in _QUIET:
            message = f"Liquid tag {tag} dropped"
        if message:
            line = first_line + text.count("\n", 0, match.start())
            problems.append(Problem(source, message, severity="warning", line=line))
            log.debug("%s", problems[-1])
    out.append(text[pos:])
    return Expanded("".join(out), tuple(problems), tuple(found))


def _include(name: str, params: dict[str, str], base_url: str) -> tuple[str, Media] | str:
    """The include's HTML and media, or why it was dropped."""
    if name in media.PHOTOS:
        return media.photo(params, base_url) or "no usable file"
    if name == media.MUGSHOT:
        return media.mugshot(params, base_url) or "no usable file"
    if name in media.VIDEOS:
        return media.video(params) or "no YouTube id"
    return "interactive or unknown include, no feed equivalent"


def _params(markup: str) -> dict[str, str]:
    params = {}
    for key, double, single, bare in _PARAM.findall(markup):
        if bare and not _LITERAL.fullmatch(bare):
            continue  # a variable such as page.image: nothing to resolve it against
        # Liquid inside a value: the base variables stand for "" and nothing else resolves.
        value = _MARKUP.sub("", double or single or bare)
        params[key] = _SPACE.sub(" ", value).strip()
    return params


def _block_end(text: str, tag: str, pos: int) -> int | None:
    """The end of the `end<tag>` that closes a block opened just before `pos`."""
    depth = 1
    for match in _MARKUP.finditer(text, pos):
        if match.group(1) == tag:
            depth += 1
        elif match.group(1) == "end" + tag:
            depth -= 1
            if depth == 0:
                return match.end()
    return None
