"""Where syndicate's own files are, a fingerprint of them for cache invalidation, and the Jinja
environment over its templates."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

PACKAGE_DIR = Path(__file__).resolve().parent


def templates_dir() -> Path:
    """`templates/` beside the package in a checkout, or inside it in an installed wheel."""
    for candidate in (PACKAGE_DIR / "templates", PACKAGE_DIR.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("syndicate's templates folder is missing from this installation")


@cache
def code_fingerprint() -> str:
    """A digest of the code and templates that shape outputs: any edit invalidates caches."""
    digest = hashlib.sha256()
    roots = [PACKAGE_DIR]
    try:
        roots.append(templates_dir())
    except FileNotFoundError:
        pass
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".j2", ".css", ".html", ".toml", ".json", ".po"):
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def template_environment(**options: object) -> jinja2.Environment:
    """A Jinja environment over syndicate's templates. Compiled templates are kept in the user's
    cache folder ($XDG_CACHE_HOME/syndicate/jinja), as Python keeps __pycache__: compiling them
    costs more than a whole one-post rebuild's feed writing. Jinja checks each against its
    source's checksum and the Python version, so a stale one is never used."""
    from jinja2 import Environment, FileSystemLoader

    return Environment(loader=FileSystemLoader(templates_dir()), bytecode_cache=_bytecode_cache(), **options)


@cache
def _bytecode_cache() -> jinja2.FileSystemBytecodeCache | None:
    from jinja2 import FileSystemBytecodeCache

    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = root / "syndicate" / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:  # a read-only home: compile every time
        return None
    return FileSystemBytecodeCache(str(folder))
