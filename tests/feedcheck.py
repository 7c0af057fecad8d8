"""Helpers that read built outputs back the way subscribers do."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import feedparser
import jsonschema

SCHEMA_FILE = Path(__file__).parent / "schemas" / "jsonfeed-1.1.schema.json"


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def parse_xml_feed(path: Path) -> feedparser.FeedParserDict:
    """Parse an RSS or Atom file; fail with feedparser's reason when it is not well formed."""
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')}"
    return parsed


def load_json_feed(path: Path) -> dict:
    """Load a JSON Feed file and validate it against the JSON Feed 1.1 schema."""
    feed = json.loads(path.read_text(encoding="utf-8"))
    errors = sorted(_validator().iter_errors(feed), key=lambda e: list(e.path))
    assert not errors, f"{path}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return feed


def all_outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
