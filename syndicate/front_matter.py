"""Jekyll front matter: split off by Jekyll's own rule, loaded as YAML bounded in time and memory.

python-frontmatter is not used here: it strips the whole text, accepts TOML and JSON headers
Jekyll never reads, and has no bound on alias expansion.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

# Jekyll's YAML_FRONT_MATTER_REGEXP, \A---[ \t]*\n(.*?\n?)^(?:---|\.\.\.)[ \t]*$\n?, in two
# steps: its lazy `.*?` tries the closing pattern at every character of the front matter, which
# costs more than loading the YAML; a search for a newline followed by it is a fast scan.
_OPENING = re.compile(r"---[ \t]*\n")
_CLOSING = re.compile(r"(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
_NEXT_CLOSING = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
# Real front matter is a few dozen values; a billion-laughs document expands to millions.
MAX_FRONT_MATTER_NODES = 10_000


class YamlProblem(Exception):
    """The text cannot be loaded; `line` is 1-based in the text given, when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, except that an impossible timestamp (2018-02-30) stays a string, so
    the date check can name it instead of the whole file failing with a bare ValueError."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line the body starts on), or None when the text has no front matter."""
    opening = _OPENING.match(text)
    if opening is None:
        return None
    start = opening.end()
    closing = _CLOSING.match(text, start)  # empty front matter: the closing line comes next
    if closing is not None:
        yaml_end = start
    else:
        closing = _NEXT_CLOSING.search(text, start)
        if closing is None:
            return None
        yaml_end = closing.start() + 1  # the front matter keeps its last newline
    return text[start:yaml_end], text[closing.end():], text.count("\n", 0, closing.end()) + 1


def load_yaml(text: str, max_nodes: int = MAX_FRONT_MATTER_NODES) -> tuple[Any, dict[str, int]]:
    """The YAML document in `text` and the line of each top-level key.

    Raises YamlProblem for invalid YAML and for documents whose aliases expand to more than
    `max_nodes` values. The node graph (aliases shared, nesting bounded by libyaml) is measured
    before any Python value is built, so a billion-laughs document costs what its text costs.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        if "*" in text:  # without an alias the values are bounded by the text itself
            _check_expansion(node, max_nodes)
        return loader.construct_document(node), _key_lines(node)
    except yaml.YAMLError as exc:
        raise _problem(exc) from exc
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # constructors' own errors
        raise YamlProblem(f"has a value that cannot be read: {exc}") from exc
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node, max_nodes: int) -> None:
    """Raise YamlProblem when the document, every alias expanded, holds more than `max_nodes` values."""
    sizes: dict[int, int] = {}  # id(node) -> values under it, aliases expanded
    open_nodes: set[int] = set()  # being measured: an alias back to one of them is a cycle, counted once
    stack = [root]
    while stack:
        node = stack[-1]
        children = _children(node)
        if id(node) not in open_nodes:
            open_nodes.add(id(node))
            stack.extend(c for c in children if id(c) not in sizes and id(c) not in open_nodes)
            continue
        stack.pop()
        if id(node) in sizes:
            continue
        sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
        if sizes[id(node)] > max_nodes:
            raise YamlProblem(f"expands to more than {max_nodes} values through aliases (a YAML bomb?)",
                              node.start_mark.line + 1)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _key_lines(root: yaml.Node) -> dict[str, int]:
    if not isinstance(root, yaml.MappingNode):
        return {}
    lines: dict[str, int] = {}
    for key, _ in root.value:
        if isinstance(key, yaml.ScalarNode):
            lines.setdefault(key.value, key.start_mark.line + 1)
    return lines


def _problem(exc: yaml.YAMLError) -> YamlProblem:
    mark = getattr(exc, "problem_mark", None)
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return YamlProblem(f"is not valid YAML: {reason}", mark.line + 1 if mark else None)
