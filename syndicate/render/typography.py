"""kramdown's typography as a markdown-it rule: smart quotes and typographic symbols.

kramdown does not pair quotes as markdown-it does: it decides each quote from the characters
around it (lib/kramdown/parser/kramdown/smart_quotes.rb, itself from RubyPants), so a straight
quote that opens a quotation closed by a curly one still becomes “. Its symbols are `---` (—),
`--` (–), `...` (…) and `<<`/`>>` (« »), and nothing else: `....` is `…` and a dot, `(c)` stays.
Text is scanned in runs between other inline elements, as kramdown's span parser does; the
element that follows a run is all a rule can see beyond it.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_PUNCT = r"""[!"#$%'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"""
_CLOSE = r"[^ \\\t\r\n\[{(-]"
# (pattern, substitutions): an int re-emits that group as text; a name is a quote, where
# "1"/"2" mean the quote character captured by that group decides between double and single.
_RULES: tuple[tuple[re.Pattern[str], tuple[object, ...]], ...] = (
    (re.compile(r"""("|')(?=[_*]{1,2}\S)"""), ("open1",)),
    (re.compile(rf"""("|')(?={_PUNCT}(?!\.\.)\B)"""), ("close1",)),
    (re.compile(r"""(\s?)"'(?=\w)"""), (1, "“", "‘")),
    (re.compile(r"""(\s?)'"(?=\w)"""), (1, "‘", "“")),
    (re.compile(r"""(\s?)'(?=\d\ds)"""), (1, "’")),
    (re.compile(r"""(\s)('|")(?=\w)"""), (1, "open2")),
    (re.compile(rf"""({_CLOSE})('|")"""), (1, "close2")),
    (re.compile(r"""("|')(?=\s|s\b|$)""", re.M), ("close1",)),
    (re.compile(r"""(.?)'""", re.S), (1, "‘")),
    (re.compile(r"""(.?)\"""", re.S), (1, "“")),
)
_QUOTES = {("open", '"'): "“", ("open", "'"): "‘", ("close", '"'): "”", ("close", "'"): "’"}
_QUOTE = re.compile(r"""["']""")
_SYMBOL = re.compile(r"---|--|\.\.\.|<< | >>|<<|>>")
_SYMBOLS = {"---": "—", "--": "–", "...": "…", "<< ": "« ", " >>": " »", "<<": "«", ">>": "»"}
# What kramdown's source shows where an inline element starts: all a run's rules see past its end.
_AHEAD = {"em_open": "*", "strong_open": "**", "link_open": "[", "image": "!", "code_inline": "`",
          "html_inline": "<", "s_open": "~"}


def typography_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("inline", "kramdown_typography", _typography)


def _typography(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            _runs(token.children)


def _runs(children: list[Token]) -> None:
    run: list[Token] = []
    for k, child in enumerate([*children, None]):
        if child is not None and child.type in ("text", "softbreak"):
            run.append(child)
            continue
        if run:
            _smarten(run, _ahead(children, k))
            run = []


def _ahead(children: list[Token], k: int) -> str:
    """The source kramdown would see from child `k` on: its opening mark, then the text after."""
    if k >= len(children):
        return ""
    child = children[k]
    if child.type in ("code_inline", "html_inline"):
        return _AHEAD[child.type] + child.content[:3] if child.type == "code_inline" else child.content[:3]
    if child.type not in _AHEAD:
        return ""
    following = next((c.content for c in children[k + 1 :] if c.type == "text"), "")
    return _AHEAD[child.type] + following[:3]


def _smarten(run: list[Token], ahead: str) -> None:
    text = "".join("\n" if token.type == "softbreak" else token.content for token in run)
    if not any(c in text for c in "\"'.-<>"):
        return
    new = smarten(text, ahead)
    # Each text token gets its share back: breaks are kept, and the rules never touch them.
    pieces = new.split("\n")
    index = 0
    for token in run:
        if token.type == "text":
            token.content = pieces[index]
        else:
            index += 1


def smarten(text: str, ahead: str = "") -> str:
    """`text` with kramdown's quotes and symbols; `ahead` is what follows it in the source."""
    source = text + ahead
    out: list[str] = []
    pos, end = 0, len(text)
    # The next quote and symbol at or after `pos`, searched again only once `pos` has passed them
    # (neither search looks behind where it starts): searching both afresh at every step made a
    # long paragraph with many quotes quadratic. Most runs have no symbol: `in` says so faster
    # than the pattern's scan.
    quote = _quote_start(source, pos, end + len(ahead))
    symbol = _SYMBOL.search(source, pos, end) if any(mark in text for mark in ("--", "...", "<<", ">>")) else None
    while pos < end:
        if quote is not None and quote < pos:
            quote = _quote_start(source, pos, end + len(ahead))
        if symbol is not None and symbol.start() < pos:
            symbol = _SYMBOL.search(source, pos, end)
        at = quote if quote is not None and quote < end else None
        if symbol and (at is None or symbol.start() < at):
            out.append(text[pos : symbol.start()] + _SYMBOLS[symbol.group()])
            pos = symbol.end()
            continue
        if at is None:
            break
        out.append(text[pos:at])
        pos = _quote_at(source, at, out)
    out.append(text[pos:end])
    return "".join(out)


def _quote_start(source: str, pos: int, endpos: int) -> int | None:
    """Where the quote rules next apply: at the character before the next quote (they look at it),
    unless that is a backslash or before `pos`. The same as searching `[^\\]?["']`, which the
    regex engine can only try at every position (its optional first character defeats the
    fast scan for a quote)."""
    found = _QUOTE.search(source, pos, endpos)
    if found is None:
        return None
    at = found.start()
    return at - 1 if at > pos and source[at - 1] != "\\" else at


def _quote_at(source: str, pos: int, out: list[str]) -> int:
    # The last rule matches any quote, so one always applies.
    match, substitutions = next((m, subs) for pattern, subs in _RULES if (m := pattern.match(source, pos)))
    for substitution in substitutions:
        if isinstance(substitution, int):
            out.append(match.group(substitution) or "")
        elif substitution[:-1] in ("open", "close"):
            out.append(_QUOTES[(substitution[:-1], match.group(int(substitution[-1])))])
        else:
            out.append(substitution)
    return match.end()
