"""A post body's Liquid rendered as Jekyll renders it, with the site's own `_includes/`.

python-liquid (Shopify's Liquid) does the work; what Jekyll adds is here: its `include` tag
(`{% include file.html key="value" other=page.var %}`, the file name itself may hold `{{ }}`),
the `include.*`, `site.*` and `page.*` variables, its filters (jekyll_filters.py) and the lax
parsing Jekyll falls back to when a template is not strict Liquid (`{% if a || b %}` means
`{% if a %}` there).

The output of each include in the post body is kept aside and its place marked, so Markdown
never sees it (kramdown passes HTML blocks through untouched); `restore` puts it back.
An include that fails is left out and reported with the post's line; the rest of the body renders.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from io import StringIO
from pathlib import Path
from typing import Any

from liquid import Environment, Mode
from liquid.ast import Node
from liquid.exceptions import LiquidError, TemplateNotFoundError
from liquid.loader import BaseLoader, TemplateSource
from liquid.tag import Tag
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

from syndicate.model import Problem
from syndicate.render.jekyll_filters import jekyll_filters
from syndicate.render.post_list import PostList, SiteVariables

# Jekyll's include syntax (lib/jekyll/tags/include.rb): the file, then key=value parameters.
_VARIABLE_FILE = re.compile(r"(?P<variable>[^{]*(\{\{\s*[\w\-.]+\s*(\|.*)?\}\}[^\s{}]*)+)(?P<params>.*)", re.S)
_PARAM = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|'([^'\\]*(?:\\.[^'\\]*)*)'|([\w.-]+))""")
_PARAMS = re.compile(rf"\s*(?:{_PARAM.pattern}(?=\s|\Z)\s*)*", re.S)
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_LITERALS = {"true": True, "false": False, "nil": None, "null": None, "empty": ""}

# Ruby Liquid's lax parser, for templates that are not strict Liquid.
_QUOTED = r"\"[^\"]*\"|'[^']*'"
_FRAGMENT = rf"(?:{_QUOTED}|(?:[^\s,|'\"]|{_QUOTED})+)"
_CONDITION = re.compile(rf"\s*({_FRAGMENT})\s*([=!<>a-z_]+)?\s*({_FRAGMENT})?")
_TAG = re.compile(r"(\{%-?\s*)(if|elsif|unless)\b(.*?)(-?%\})", re.S)
_OUTPUT = re.compile(r"(\{\{-?)(.*?)(-?\}\})", re.S)
_AND_OR = re.compile(r"\s+(and|or)\s+")
_FILTER = re.compile(rf"\s*(\w+)\s*(:(?:{_QUOTED}|[^|])*)?\s*$", re.S)
_PIPE_SPLIT = re.compile(rf"((?:{_QUOTED}|[^|'\"])*)(\|?)")

_MARKUP = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
_MARK = "SYNDICATEINCLUDE{}X"  # letters only: Markdown and typography leave it alone
MARK = re.compile(r"(<p>)?SYNDICATEINCLUDE(\d+)X(</p>)?")
_BLOCK_START = re.compile(r"\s*<(?:div|p|h[1-6]|figure|table|ul|ol|dl|blockquote|section|article|aside|"
                          r"header|footer|nav|picture|iframe|style|script|pre|hr|form|video|audio)\b", re.I)


@dataclass(frozen=True, slots=True)
class IncludeOutput:
    name: str
    line: int  # in the post's file
    html: str
    block: bool  # starts with a block element: stands in a paragraph of its own


@dataclass(frozen=True, slots=True)
class Expanded:
    text: str  # the body with each include's place marked
    includes: tuple[IncludeOutput, ...]
    problems: tuple[Problem, ...]
    post_list: str | None = None  # the digest of `site.posts`, when the rendering read it


@dataclass(slots=True)
class _Render:
    """What one body's rendering collects; the include tag reaches it through `_CURRENT`."""

    source: str
    first_line: int
    outputs: list[IncludeOutput] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    depth: int = 0


_CURRENT: ContextVar[_Render] = ContextVar("syndicate_include_render")


def render_liquid(text: str, *, includes_dir: str, site: Mapping[str, Any], page: Mapping[str, Any],
                  source: str, first_line: int = 1, markdownify: Callable[[str], str] = str,
                  smartify: Callable[[str], str] = str, includes_version: str = "",
                  posts: PostList | None = None) -> Expanded:
    """The body with its Liquid rendered and its includes' output set aside (see `restore`).
    Templates are parsed once per process and `includes_version` (a digest of the folder):
    the daemon sees an edited include. Raises PostListNeeded when the body reads `site.posts`
    and `posts` is None."""
    if "{%" not in text and "{{" not in text:
        return Expanded(text, (), ())
    env = _environment(includes_dir, includes_version, markdownify, smartify)
    state = _Render(source, first_line)
    site_variables = SiteVariables(site, posts)
    reset = _CURRENT.set(state)
    try:
        template = env.from_string(lax_to_strict(text), name=source)
        rendered = template.render(site=site_variables, page=page)
    except LiquidError as exc:  # the body itself is not Liquid even to a lax reader
        line = first_line + _line_of(exc)
        state.problems.append(Problem(source, f"Liquid cannot be read ({_reason(exc)}); the body is "
                                              "published with its Liquid left out", severity="warning", line=line))
        rendered = _MARKUP.sub("", text)
        state.outputs.clear()
    finally:
        _CURRENT.reset(reset)
    return Expanded(rendered, tuple(state.outputs), tuple(state.problems), site_variables.read)


def restore(html: str, includes: tuple[IncludeOutput, ...]) -> str:
    """The Markdown output with each include's HTML back in its place; a block one replaces
    the paragraph that held its mark."""

    def put(match: re.Match[str]) -> str:
        if int(match.group(2)) >= len(includes):  # the mark typed into the post itself
            return match.group(0)
        output = includes[int(match.group(2))]
        if output.block and match.group(1) and match.group(3):
            return output.html
        return f"{match.group(1) or ''}{output.html}{match.group(3) or ''}"

    return MARK.sub(put, html) if includes else html


def lax_to_strict(source: str) -> str:
    """Tags rewritten as Ruby Liquid's lax parser reads them, where strict Liquid would refuse:
    a condition keeps only what its pattern takes (`a || b` is `a`), a filter whose
    arguments do not follow `:` loses them. Line breaks are kept, for line numbers."""

    def condition(match: re.Match[str]) -> str:
        opening, tag, markup, closing = match.groups()
        parts = _AND_OR.split(markup)
        kept = []
        for k, part in enumerate(parts):
            if k % 2:
                kept.append(part)
                continue
            found = _CONDITION.match(part)
            left, operator, right = found.groups() if found else ("", None, None)
            kept.append(f"{left} {operator} {right}" if operator and right else left)
        rewritten = " ".join(kept)
        return f"{opening}{tag} {rewritten}{_newlines(markup, rewritten)} {closing}"

    def output(match: re.Match[str]) -> str:
        opening, markup, closing = match.groups()
        segments = [segment for segment, _ in _PIPE_SPLIT.findall(markup)]
        filters = []
        for segment in segments[1:]:
            found = _FILTER.match(segment)
            if found is None:
                found = re.match(r"\s*(\w+)", segment)
                if found is None:
                    continue
                filters.append(found.group(1))
            else:
                filters.append(segment.strip())
        rewritten = " | ".join([segments[0].strip(), *[f for f in filters if f]])
        return f"{opening} {rewritten}{_newlines(markup, rewritten)} {closing}"

    return _OUTPUT.sub(output, _TAG.sub(condition, source))


def _newlines(before: str, after: str) -> str:
    return "\n" * (before.count("\n") - after.count("\n"))


class _IncludesLoader(BaseLoader):
    """Templates from the site's `_includes/` folder, read laxly; nothing outside it."""

    def __init__(self, folder: str):
        self.folder = Path(folder).resolve()

    def get_source(self, env: Environment, template_name: str, **kwargs: object) -> TemplateSource:
        path = (self.folder / template_name).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            raise TemplateNotFoundError(f"no file {template_name} in _includes/", token=None)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateNotFoundError(f"cannot read _includes/{template_name}: {exc}", token=None) from exc
        return TemplateSource(lax_to_strict(text), template_name, None)


class _IncludeNode(Node):
    __slots__ = ("file", "file_template", "params", "error")

    def __init__(self, token: Any, markup: str, env: Environment):
        super().__init__(token)
        self.blank = False
        self.error = None
        markup = markup.strip()
        variable = _VARIABLE_FILE.match(markup)
        if variable:
            self.file, params = variable.group("variable").strip(), variable.group("params").strip()
        else:
            parts = re.split(r"\s+", markup, maxsplit=1)
            self.file, params = parts[0], parts[1] if len(parts) > 1 else ""
        self.file_template = env.from_string(self.file) if "{{" in self.file else None
        self.params = _PARAM.findall(params)
        if params and not _PARAMS.fullmatch(params):
            self.error = (f"invalid parameters {' '.join(params.split())[:80]!r}: expected key=\"value\", "
                          "key='value' or key=variable")

    def __str__(self) -> str:
        return f"{{% include {self.file} %}}"

    def render_to_output(self, context: Any, buffer: Any) -> int:
        state = _CURRENT.get()
        if state.depth:  # inside another include: its failure is that include's
            return self._render(context, buffer, state)
        out = StringIO()
        name = self.file
        try:
            name = self._file_name(context)
            self._render(context, out, state)
        except (LiquidError, TypeError, ValueError, KeyError, RecursionError) as exc:
            line = state.first_line + self.token.source.count("\n", 0, self.token.start_index)
            state.problems.append(Problem(state.source, f"include {name} failed, left out: {_reason(exc)}",
                                          severity="warning", line=line))
            return 1
        html = out.getvalue()
        if not html.strip():
            return 1
        line = state.first_line + self.token.source.count("\n", 0, self.token.start_index)
        block = bool(_BLOCK_START.match(html))
        state.outputs.append(IncludeOutput(name, line, html, block))
        mark = _MARK.format(len(state.outputs) - 1)
        buffer.write(f"\n\n{mark}\n\n" if block else mark)
        return 1

    def _file_name(self, context: Any) -> str:
        if self.file_template is None:
            return self.file
        out = StringIO()
        self.file_template.render_with_context(context, out, partial=True)
        return out.getvalue().strip()

    def _render(self, context: Any, buffer: Any, state: _Render) -> int:
        if self.error:
            raise ValueError(self.error)
        template = context.env.get_template(self._file_name(context), context=context, tag="include")
        params = {key: _value(double, single, bare, context) for key, double, single, bare in self.params}
        state.depth += 1
        try:
            with context.extend({"include": params}, template=template):
                template.render_with_context(context, buffer, partial=True)
        finally:
            state.depth -= 1
        return 1

    def children(self, static_context: Any, *, include_partials: bool = True) -> list[Node]:
        return []


def _value(double: str, single: str, bare: str, context: Any) -> Any:
    """A parameter's value: quoted text as written, a bare word as a literal or variable."""
    if not bare:
        return double.replace('\\"', '"') if double else single.replace("\\'", "'")
    if bare in _LITERALS:
        return _LITERALS[bare]
    if _NUMBER.fullmatch(bare):
        return float(bare) if "." in bare else int(bare)
    value = context.get(bare.split("."), token=None, default=None)
    return None if value is context.env.undefined else value


class _IncludeTag(Tag):
    name = "include"
    block = False

    def parse(self, stream: Any) -> Node:
        token = stream.eat(TOKEN_TAG)
        markup = stream.current.value if stream.current.kind == TOKEN_EXPRESSION else ""
        return _IncludeNode(token, markup, self.env)


@lru_cache(maxsize=8)
def _environment(includes_dir: str, includes_version: str, markdownify: Callable[[str], str], smartify: Callable[[str], str]) -> Environment:
    # Jekyll's Liquid prints nothing for unknown variables and filters: lenient undefined,
    # unknown filters ignored.
    env = Environment(tolerance=Mode.STRICT, loader=_CachingLoader(includes_dir), strict_filters=False)
    env.add_tag(_IncludeTag)
    for name, function in jekyll_filters(markdownify, smartify).items():
        env.add_filter(name, function)
    return env


class _CachingLoader(_IncludesLoader):
    """Each include is read and parsed once per process: a build renders many posts."""

    def __init__(self, folder: str):
        super().__init__(folder)
        self._templates: dict[str, Any] = {}

    def load(self, env: Environment, name: str, **kwargs: Any) -> Any:
        if name not in self._templates:
            self._templates[name] = super().load(env, name, **kwargs)
        return self._templates[name]


def _line_of(exc: LiquidError) -> int:
    token = exc.token
    return token.source.count("\n", 0, token.start_index) if token and token.start_index >= 0 else 0


def _reason(exc: BaseException) -> str:
    if isinstance(exc, LiquidError):
        message = exc.args[0] if exc.args else type(exc).__name__
        where = f" ({exc.template_name}, line {_line_of(exc) + 1})" if exc.template_name and exc.token else ""
        return f"{message}{where}"
    return str(exc) or type(exc).__name__
