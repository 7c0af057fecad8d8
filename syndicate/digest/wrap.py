"""Plain-text line wrapping for every script: breaks at spaces and zero-width spaces (Khmer
writes no spaces between words; the site puts U+200B there), and inside a run with neither
only between grapheme clusters, so a consonant never loses its subscript or vowel sign.
Widths count grapheme clusters, the characters a reader sees."""

from __future__ import annotations

import regex

_GRAPHEME = regex.compile(r"\X")
# A break opportunity: after spaces (which go) or after a zero-width space (which stays, unseen).
_PIECE = regex.compile(r"[^ \u200b]+\u200b*|\u200b+| +")


def wrap(text: str, width: int = 72) -> str:
    lines = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_line(paragraph, width))
    return "\n".join(lines)


def _wrap_line(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line, used = "", 0
    for piece in _PIECE.findall(text):
        if piece.startswith(" "):
            if line:
                line, used = line + piece, used + len(piece)
            continue
        graphemes = _GRAPHEME.findall(piece.rstrip("\u200b"))
        if used + len(graphemes) > width and line.strip():
            lines.append(line.rstrip(" "))
            line, used = "", 0
        while len(graphemes) > width:  # a run longer than a line: cut between clusters
            lines.append("".join(graphemes[:width]))
            graphemes = graphemes[width:]
            piece = "".join(graphemes) + "\u200b" * (piece.endswith("\u200b"))
        line, used = line + piece, used + len(graphemes)
    if line.strip() or not lines:
        lines.append(line.rstrip(" "))
    return lines
