"""Problems grouped by kind, so a build says once what recurs across many posts. Pure.

A kind is the severity, field and message up to its first quoted value: "include map.html: drawn
by a script, no text for feeds, dropped" is one kind however many posts carry the include, and
"translation: points to no post: '/x.html'" is of the kind "translation: points to no post".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from syndicate.model import Problem

_FROM_QUOTE = re.compile(r"""[\s:]*['"].*""", re.S)


def kind_of(problem: Problem) -> str:
    what = f"{problem.field}: {problem.message}" if problem.field else problem.message
    return f"{problem.severity}: {_FROM_QUOTE.sub('', what)}"


def summary_lines(problems: Iterable[Problem]) -> list[str]:
    """One line per kind: the problem itself when it occurs once, else the kind and how many
    files it occurs in. Kinds in order of first occurrence."""
    groups: dict[str, list[Problem]] = {}
    for problem in problems:
        groups.setdefault(kind_of(problem), []).append(problem)
    lines = []
    for kind, members in groups.items():
        if len(members) == 1:
            lines.append(f"{members[0].severity}: {members[0]}")
            continue
        files = len({member.source for member in members})
        where = f"{files} files" if files > 1 else members[0].source
        times = f", {len(members)} times" if len(members) > files else ""
        lines.append(f"{kind} in {where}{times} (--verbose lists each)")
    return lines
