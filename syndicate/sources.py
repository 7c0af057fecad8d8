"""Where syndicate's own files are, and a fingerprint of them for cache invalidation."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

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
