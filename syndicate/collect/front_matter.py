"""Jekyll front matter: split off by Jekyll's own rule, loaded as YAML bounded in time and memory.

python-frontmatter is not used here: it strips the whole text, accepts TOML and JSON headers
Jekyll never reads, and has no bound on alias expansion.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

# Jekyll's YAML_FRONT_MATTER_REGEXP: `---` on the first line, closed by `---` or `...`.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n?)^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S | re.M)
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
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None
    return match.group(1), text[match.end():], text.count("\n", 0, match.end()) + 1


def load_yaml(text: str, max_nodes: int = MAX_FRONT_MATTER_NODES) -> tuple[Any, dict[str, int]]:
    """The YAML document in `text` and the line of each top-level key.

    Raises YamlProblem for invalid YAML and for documents whose aliases expand to more than
    `max_nodes` values: that is checked on the event stream, before anything is built.
    """
    key_lines = _measure(text, max_nodes)
    loader = _Loader(text)
    try:
        return loader.get_single_data(), key_lines
    except yaml.YAMLError as exc:
        raise _problem(exc) from exc
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # constructors' own errors
        raise YamlProblem(f"has a value that cannot be read: {exc}") from exc
    finally:
        loader.dispose()


def _measure(text: str, max_nodes: int) -> dict[str, int]:
    """Count the values the document would hold with every alias expanded; note key lines."""
    loader = _Loader(text)
    sizes: dict[str, int] = {}  # anchor -> values under it, aliases expanded
    frames: list[list] = [[0, None]]  # per open collection: [values so far, its anchor]
    key_lines: dict[str, int] = {}
    top_items = 0  # scalars met directly in the top-level mapping: keys and values alternate
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(frames) == 2:
                    top_items += 1
                frames.append([1, event.anchor])
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                count, anchor = frames.pop()
            elif isinstance(event, yaml.ScalarEvent):
                count, anchor = 1, event.anchor
                if len(frames) == 2:
                    if top_items % 2 == 0:
                        key_lines.setdefault(event.value, event.start_mark.line + 1)
                    top_items += 1
            elif isinstance(event, yaml.AliasEvent):
                count, anchor = sizes.get(event.anchor, 1), None
                if len(frames) == 2:
                    top_items += 1
            else:
                continue
            if anchor is not None:
                sizes[anchor] = count
            frames[-1][0] += count
            if frames[-1][0] > max_nodes:
                raise YamlProblem(f"expands to more than {max_nodes} values through aliases "
                                  f"(a YAML bomb?)", event.start_mark.line + 1)
    except yaml.YAMLError as exc:
        raise _problem(exc) from exc
    finally:
        loader.dispose()
    return key_lines


def _problem(exc: yaml.YAMLError) -> YamlProblem:
    mark = getattr(exc, "problem_mark", None)
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return YamlProblem(f"is not valid YAML: {reason}", mark.line + 1 if mark else None)
