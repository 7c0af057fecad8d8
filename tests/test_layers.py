"""The tree's parts import one way (docs/design.md): no module imports a part above its own.

Read from the source with `ast`, lazy imports inside functions included, so a shortcut taken
anywhere in the package fails here rather than growing into a cycle.
"""

from __future__ import annotations

import ast
from functools import cache
from graphlib import TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "syndicate"

# Top to bottom, as docs/design.md draws them; a part may import its own modules and any part below.
LAYERS = [
    ["__main__", "cli"],
    ["commands"],
    ["daemon"],
    ["digest"],
    ["pipeline"],
    ["subscribers"],
    ["collect", "render", "emit"],
    ["select", "config", "i18n"],
    ["model", "languages", "front_matter", "text", "sources", "system"],
]
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}


def _part(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


@cache
def _type_only(module: str) -> set[int]:
    """Lines of the imports under `if TYPE_CHECKING:` in a module."""
    path = PACKAGE.joinpath(*module.split(".")[1:])
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return {inner.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
            for stmt in node.body for inner in ast.walk(stmt) if isinstance(inner, ast.Import | ast.ImportFrom)}


def _is_module(name: str) -> bool:
    path = PACKAGE.joinpath(*name.split(".")[1:])
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


@cache
def _imports() -> list[tuple[str, str, int]]:
    """(importing module, imported syndicate module, line) for every import in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        module = ".".join(("syndicate", *(parts[:-1] if parts[-1] == "__init__" else parts)))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("syndicate"):
                # `from syndicate.digest import pipeline` imports the module, not the package's face
                names = [f"{node.module}.{a.name}" if _is_module(f"{node.module}.{a.name}") else node.module
                         for a in node.names]
                found += [(module, name, node.lineno) for name in names]
            elif isinstance(node, ast.Import):
                found += [(module, a.name, node.lineno) for a in node.names if a.name.startswith("syndicate.")]
    return found


def test_every_module_belongs_to_a_part():
    parts = {_part(m) for m, _, _ in _imports()} | {_part(m) for _, m, _ in _imports()}
    assert parts - {"", "__init__", "__version__"} <= set(RANK), sorted(parts - set(RANK))


def test_no_import_runs_up():
    upward = [f"{importer} (line {line}) imports {imported}, a part above it"
              for importer, imported, line in _imports()
              if _part(importer) in RANK and _part(imported) in RANK
              and RANK[_part(imported)] < RANK[_part(importer)]]
    assert upward == []


def test_no_import_cycles():
    # A package's face may load its own modules on first use (emit's FORMATS, render's pipeline),
    # and they import names from it: a package and its own modules are not a cycle. Nor are
    # imports made only for type checking: they never run.
    modules = {m for m, _, _ in _imports()}
    graph = {m: {b for a, b, line in _imports() if a == m and b in modules and line not in _type_only(a)
                 and not b.startswith(m + ".") and not m.startswith(b + ".")} for m in modules}
    TopologicalSorter(graph).prepare()  # raises CycleError naming the loop
    parts = {_part(m) for m in modules}
    between_parts = {p: {_part(b) for a, b, _ in _imports() if _part(a) == p and _part(b) != p} for p in parts}
    TopologicalSorter(between_parts).prepare()


def test_the_checks_see_imports():
    # Both checks pass vacuously if the reader finds nothing: make sure it reads.
    found = {(a, b) for a, b, _ in _imports()}
    assert ("syndicate.pipeline.build", "syndicate.pipeline.site") in found
    assert any(a.startswith("syndicate.daemon.") and b.startswith("syndicate.pipeline.") for a, b in found)
