"""kramdown inline attribute lists (`{:.pullquote}`, `{:#id}`) as a markdown-it plugin.

kramdown's rules (https://kramdown.gettalong.org/syntax.html#block-ials): a block IAL on its
own line applies to the block directly before it (no blank line between); failing that, to
the block directly after it; surrounded by blank lines it is ignored. Consecutive IAL lines
stack. A span IAL applies to the span element (link, emphasis, image, code) right before it;
after plain text it stays text, as in kramdown.
Attribute list definitions (`{:name: ...}`) are dropped; block IALs never reach the output.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

_IAL = "kramdown_ial"
# `{:` but not `{::` (kramdown extensions); `\}` may be escaped inside.
_BLOCK = re.compile(r"\{:(?!:)(?:([\w][\w-]*):)?((?:\\.|[^}\\])*)\}[ \t]*")
_SPAN = re.compile(r"\{:(?!:)((?:\\.|[^}\\\n])*)\}")
_ITEM = re.compile(
    r"""([\w][\w-]*)=(?:"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)')"""  # key="value"
    r"|((?:[#.]-?[\w][\w:-]*)+)"  # .class#id.other
)
_ID_OR_CLASS = re.compile(r"([#.])(-?[\w][\w:-]*)")


def ial_plugin(md: MarkdownIt) -> None:
    # An IAL line ends a paragraph, blockquote or list, as in kramdown.
    md.block.ruler.before("paragraph", _IAL, _block_rule, {"alt": ["paragraph", "blockquote", "list"]})
    md.inline.ruler.before("emphasis", _IAL, _span_rule)
    # After "inline" so span IALs see finished links/emphasis; before heading ids are made.
    md.core.ruler.after("inline", _IAL, _apply)


def _parse_attributes(spec: str) -> list[tuple[str, str]]:
    """`.a.b#c key="v"` as [("class", "a"), ("class", "b"), ("id", "c"), ("key", "v")]."""
    attrs: list[tuple[str, str]] = []
    for key, double, single, names in _ITEM.findall(spec):
        if key:
            attrs.append((key, double or single))
        for sigil, name in _ID_OR_CLASS.findall(names):
            attrs.append(("id" if sigil == "#" else "class", name))
    return attrs


def _block_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    first = state.bMarks[start] + state.tShift[start]
    # Tried on every line of every paragraph, so the cheapest test comes first.
    if state.src[first : first + 2] != "{:" or state.sCount[start] - state.blkIndent >= 4:
        return False
    line = state.src[first : state.eMarks[start]]
    match = _BLOCK.fullmatch(line)
    if not match:
        return False
    if not silent:
        token = state.push(_IAL, "", 0)
        token.map = [start, start + 1]
        token.meta = {
            "attrs": [] if match.group(1) else _parse_attributes(match.group(2)),
            "after_text": start > 0 and not state.isEmpty(start - 1),
            "before_text": start + 1 < end and not state.isEmpty(start + 1),
        }
    state.line = start + 1
    return True


def _span_rule(state: StateInline, silent: bool) -> bool:
    # Right after plain text (pending, not yet a token) kramdown keeps the IAL as text.
    if state.src[state.pos] != "{" or state.pending:
        return False
    match = _SPAN.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        state.push(_IAL, "", 0).meta = {"attrs": _parse_attributes(match.group(1))}
    state.pos = match.end()
    return True


def _apply(state: StateCore) -> None:
    tokens = state.tokens
    for token in tokens:
        if token.type == "inline" and token.children and "{:" in token.content:
            token.children = _apply_spans(token.children)
    if any(token.type == _IAL for token in tokens):
        state.tokens = _apply_blocks(tokens)


def _apply_blocks(tokens: list[Token]) -> list[Token]:
    i = 0
    while i < len(tokens):
        if tokens[i].type != _IAL:
            i += 1
            continue
        last = i  # a run of IAL lines acts as one
        while last + 1 < len(tokens) and _adjacent_ials(tokens[last], tokens[last + 1]):
            last += 1
        target = None
        if tokens[i].meta["after_text"]:
            target = _block_before(tokens, i)
        if target is None and tokens[last].meta["before_text"] and last + 1 < len(tokens):
            target = tokens[last + 1] if tokens[last + 1].nesting >= 0 else None
        if target is not None:
            for token in tokens[i : last + 1]:
                _set(target, token.meta["attrs"])
        i = last + 1
    return [token for token in tokens if token.type != _IAL]


def _apply_spans(children: list[Token]) -> list[Token]:
    for k, token in enumerate(children):
        if token.type == _IAL and k:
            previous = children[k - 1]
            if previous.nesting == -1:
                _set(_opener(children, k - 1), token.meta["attrs"])
            elif previous.type in ("image", "code_inline"):
                _set(previous, token.meta["attrs"])
    return [token for token in children if token.type != _IAL]


def _adjacent_ials(first: Token, second: Token) -> bool:
    return second.type == _IAL and second.map[0] == first.map[1]


def _block_before(tokens: list[Token], i: int) -> Token | None:
    """The opening token of the sibling block just before index `i`, if any."""
    if i == 0 or tokens[i - 1].nesting == 1:  # first child of a container
        return None
    if tokens[i - 1].nesting == 0:  # self-contained: fence, hr, code block
        return tokens[i - 1]
    return _opener(tokens, i - 1)


def _opener(tokens: list[Token], close: int) -> Token | None:
    level = tokens[close].level
    for k in range(close - 1, -1, -1):
        if tokens[k].level == level and tokens[k].nesting == 1:
            return tokens[k]
    return None


def _set(token: Token | None, attrs: list[tuple[str, str]]) -> None:
    if token is None:
        return
    for key, value in attrs:
        if key == "class":
            token.attrJoin("class", value)
        else:
            token.attrSet(key, value)
