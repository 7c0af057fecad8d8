"""Settings for one site: its `_config.yml`, overridden by an optional TOML file.

Errors here are whole-run preconditions, so they raise ConfigError naming file and key.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syndicate.front_matter import YamlProblem, load_yaml
from syndicate.languages import language_code, language_direction
from syndicate.model import BackgroundImage, Language

ContentMode = Literal["full", "summary"]
DEFAULT_EXCLUDES = ("_site", "node_modules", "vendor", ".git")
CONFIG_MAX_NODES = 1_000_000  # _config.yml may hold a site's data, but not a YAML bomb


class ConfigError(Exception):
    """A setting is missing or invalid; the message names the file and key."""


@dataclass(frozen=True, slots=True)
class Settings:
    site_dir: Path
    base_url: str  # canonical base, no trailing slash: ids and links are built on it
    feed_base_url: str  # where OUT is published, no trailing slash
    timezone: ZoneInfo
    permalink: str
    title: str
    description: str
    languages: dict[str, Language]  # by key; languages met in posts but not here get defaults
    language_codes: dict[str, str] = field(default_factory=dict)  # key -> ISO 639-1 overrides
    # Category names readers see: language key ("" for every language) -> casefolded name -> label.
    category_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES  # folder names Jekyll skips
    item_limit: int = 20
    content: ContentMode = "full"
    feed_categories: tuple[str, ...] = ()  # when set, only these categories get feeds
    excluded_categories: tuple[str, ...] = ()  # posts with these never enter any feed
    summary_limit: int = 280
    config_files: tuple[str, ...] = ()
    hubs: tuple[str, ...] = ()  # WebSub hubs told when a feed changes
    stylesheet: bool | str = False  # True: syndicate's own XSL; a string: that stylesheet's URL
    archives: bool = False  # RFC 5005 archive pages: every feed's full history
    archive_page_size: int = 50
    # Bounds on hostile or runaway input ([limits] in the TOML file); each one hit is a warning.
    max_post_bytes: int = 16_777_216  # larger post files are not read: a memory guard, above any real post
    max_categories: int = 50  # per post, for categories and for tags; the rest are dropped
    max_posts: int = 200_000  # per site, the newest by file name; older ones are not read
    # Rendering ([render] in the TOML file; docs/config.md).
    includes_dir: str | None = None  # the site's `_includes/`: post includes render with its templates
    site_variables: dict[str, Any] = field(default_factory=dict, hash=False)  # `site.*` for Liquid
    includes_digest: str = ""  # changes with any file in `_includes/`: cached bodies go stale
    dateline_joiner: str = " —"  # between the dateline's place and the text
    background_image: BackgroundImage | None = None

    def language(self, key: str) -> Language:
        """The configured language, or one derived from its key for languages met only in posts."""
        if key in self.languages:
            return self.languages[key]
        code = self.language_codes.get(key) or language_code(key)
        return Language(key, code, self.title, self.description, language_direction(code))

    def category_label(self, language: str, category: str) -> str:
        """What readers see for a category: the language's label, the site-wide one, or one made
        from the name ("hun-sen" -> "Hun Sen")."""
        folded = category.casefold()
        for table in (self.category_labels.get(language, {}), self.category_labels.get("", {})):
            if folded in table:
                return table[folded]
        return readable_label(category)

    def fingerprint(self) -> str:
        """A digest of everything that shapes outputs, so caches know when they are stale."""
        state = {
            "base": self.base_url, "feeds": self.feed_base_url, "tz": self.timezone.key,
            "permalink": self.permalink, "title": self.title, "description": self.description,
            "languages": sorted((k, repr(v)) for k, v in self.languages.items()),
            "codes": sorted(self.language_codes.items()), "exclude": self.exclude,
            "labels": sorted((k, sorted(v.items())) for k, v in self.category_labels.items()),
            "limit": self.item_limit, "content": self.content, "cats": self.feed_categories,
            "excluded": self.excluded_categories, "summary": self.summary_limit,
            "hubs": self.hubs, "xsl": self.stylesheet, "archives": self.archives,
            "archive_size": self.archive_page_size,
            "limits": (self.max_post_bytes, self.max_categories, self.max_posts),
            "render": (self.includes_dir, self.includes_digest, self.dateline_joiner, repr(self.background_image),
                       json.dumps(self.site_variables, sort_keys=True, default=str)),
        }
        return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]


def readable_label(name: str) -> str:
    """A category name as a heading: words split at hyphens and underscores, the all-lower-case
    ones capitalised ("hun-sen" -> "Hun Sen"); names in scripts without case stay as written."""
    words = [w for w in re.split(r"[-_\s]+", name) if w]
    return " ".join(w[:1].upper() + w[1:] if w.islower() else w for w in words) or name


def load_settings(site_dir: Path, config_file: Path | None = None) -> Settings:
    site_dir = Path(site_dir)
    jekyll_file = site_dir / "_config.yml"
    if not site_dir.is_dir():
        raise ConfigError(f"{site_dir}: not a folder")
    jekyll = _read_yaml(jekyll_file) if jekyll_file.is_file() else {}
    settings = _from_jekyll(site_dir, jekyll, jekyll_file)
    if config_file is not None:
        settings = _apply_toml(settings, Path(config_file))
    return settings


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data, _ = load_yaml(path.read_text(encoding="utf-8-sig"), max_nodes=CONFIG_MAX_NODES)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except YamlProblem as exc:
        raise ConfigError(f"{path}{f':{exc.line}' if exc.line else ''}: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def _from_jekyll(site_dir: Path, cfg: dict[str, Any], path: Path) -> Settings:
    name = str(path)
    text = _YamlReader(cfg, name)
    base = text("canonical_url_base") or (text("url") + text("baseurl")) or text("url_base")
    if not base:
        base = "http://localhost:4000"
    base = _check_base(base, name, "canonical_url_base")
    tz = _zone(text("timezone") or "UTC", name, "timezone")
    title = text("title") or site_dir.resolve().name
    description = text("description") or title
    languages = {}
    for key, info in text.mapping("site_info__object").items():
        where = f"site_info__object.{key}"
        languages[str(key)] = _jekyll_language(str(key), _YamlReader(text.mapping(where, info), name, where),
                                               title, description)
    exclude = tuple(text.strings("exclude")) + DEFAULT_EXCLUDES
    includes = site_dir / (text("includes_dir") or "_includes")
    return Settings(
        site_dir=site_dir, base_url=base, feed_base_url=base, timezone=tz,
        permalink=text("permalink") or "date", title=title, description=description,
        languages=languages, exclude=exclude, config_files=(path.name,),
        includes_dir=str(includes) if includes.is_dir() else None,
        site_variables=_site_variables(cfg), includes_digest=_folder_digest(includes),
    )


def _site_variables(cfg: dict[str, Any]) -> dict[str, Any]:
    """`site.*` as Jekyll's Liquid sees it: the configuration plus what Jekyll adds. Lists of
    posts and pages stay empty: they are the site's navigation, not a post's content."""
    return {"url": "", "baseurl": "", "posts": [], "pages": [], "data": {}, "categories": {}, "tags": {},
            **{str(key): value for key, value in cfg.items()}}


def _folder_digest(folder: Path) -> str:
    """A digest of every file's name and bytes under `folder` ("" when there is none)."""
    if not folder.is_dir():
        return ""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()[:16]


def _jekyll_language(key: str, info: _YamlReader, site_title: str, site_desc: str) -> Language:
    analytics = _YamlReader(info.mapping("analytics"), info.name, f"{info.where}.analytics")
    code = analytics("abbreviation") or language_code(key)
    direction = analytics("direction") or language_direction(code)
    return Language(
        key=key, code=code,
        title=info("title") or site_title,
        description=info("description_short") or info("description") or site_desc,
        direction="rtl" if direction == "rtl" else "ltr",
    )


class _YamlReader:
    """The `_config.yml` keys syndicate reads, each type-checked: a wrong type is a ConfigError
    naming the file, the key and the type expected, never a traceback later on."""

    _SCALARS = (str, int, float, date)  # `title: 2018` is a title; a list or a mapping is not

    def __init__(self, data: dict[str, Any], name: str, where: str = ""):
        self.data, self.name, self.where = data, name, where

    def __call__(self, key: str) -> str:
        """A text value, whitespace collapsed; "" when absent or null."""
        value = self.data.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, self._SCALARS):
            raise self._error(key, "a string", value)
        return _text(value)

    def mapping(self, key: str, value: object = None) -> dict[str, Any]:
        value = self.data.get(key) if value is None else value
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self._error(key, "a mapping (key: value lines)", value)
        return value

    def strings(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or any(isinstance(v, (bool, list, dict)) or v is None for v in value):
            raise self._error(key, "a list of names", value)
        return [str(v) for v in value]

    def _error(self, key: str, expected: str, value: object) -> ConfigError:
        full = f"{self.where}.{key}" if self.where else key
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        return ConfigError(f"{self.name}: {full}: expected {expected}, got {type(value).__name__} {shown}")


def _apply_toml(s: Settings, path: Path) -> Settings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    site = _table(data, "site", path)
    feeds = _table(data, "feeds", path)
    changes: dict[str, Any] = {"config_files": s.config_files + (path.name,)}
    if "base_url" in site:
        changes["base_url"] = changes["feed_base_url"] = _check_base(_str(site, "base_url", path), path, "site.base_url")
    if "feed_base_url" in site:
        changes["feed_base_url"] = _check_base(_str(site, "feed_base_url", path), path, "site.feed_base_url")
    if "timezone" in site:
        changes["timezone"] = _zone(_str(site, "timezone", path), path, "site.timezone")
    for key in ("title", "description", "permalink"):
        if key in site:
            changes[key] = _str(site, key, path)
    if "limit" in feeds:
        limit = feeds["limit"]
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ConfigError(f"{path}: feeds.limit: expected a whole number of at least 1, got {limit!r}")
        changes["item_limit"] = limit
    if "content" in feeds:
        mode = feeds["content"]
        if mode not in ("full", "summary"):
            raise ConfigError(f"{path}: feeds.content: expected \"full\" or \"summary\", got {mode!r}")
        changes["content"] = mode
    for key, attr in (("categories", "feed_categories"), ("exclude_categories", "excluded_categories")):
        if key in feeds:
            changes[attr] = tuple(c.casefold() for c in _str_list(feeds, key, path))
    changes.update(_subscriber_keys(feeds, path))
    changes.update(_limits(_table(data, "limits", path), path))
    changes.update(_render_keys(_table(data, "render", path), path))
    languages = dict(s.languages)
    codes = dict(s.language_codes)
    labels = {key: dict(table) for key, table in s.category_labels.items()}
    if "categories" in data:
        labels[""] = {**labels.get("", {}), **_labels(data, "categories", path)}
    for key, table in _table(data, "languages", path).items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: languages.{key}: expected a table")
        old = s.language(key) if key not in languages else languages[key]
        where = f"languages.{key}"
        direction = table.get("direction", old.direction)
        if direction not in ("ltr", "rtl"):
            raise ConfigError(f"{path}: {where}.direction: expected \"ltr\" or \"rtl\", got {direction!r}")
        code = table.get("code", old.code)
        if not isinstance(code, str) or not code:
            raise ConfigError(f"{path}: {where}.code: expected a language code such as \"en\"")
        codes[key] = code
        if "categories" in table:
            labels[key] = {**labels.get(key, {}), **_labels(table, "categories", path, where)}
        languages[key] = replace(
            old, code=code, direction=direction,
            title=_str(table, "title", path, where) if "title" in table else old.title,
            description=_str(table, "description", path, where) if "description" in table else old.description,
        )
    changes["languages"] = languages
    changes["language_codes"] = codes
    changes["category_labels"] = labels
    unknown = set(data) - {"site", "feeds", "languages", "limits", "categories", "render"}
    if unknown:
        raise ConfigError(f"{path}: unknown table(s): {', '.join(sorted(unknown))}")
    return replace(s, **changes)


def _subscriber_keys(feeds: dict[str, Any], path: Path) -> dict[str, Any]:
    """`[feeds]` hub, stylesheet, archives and archive_page_size (docs/subscribers.md)."""
    changes: dict[str, Any] = {}
    if "hub" in feeds:
        hubs = feeds["hub"] if isinstance(feeds["hub"], list) else [feeds["hub"]]
        if not all(isinstance(h, str) and h.startswith(("http://", "https://")) for h in hubs):
            raise ConfigError(f"{path}: feeds.hub: expected an http(s) URL or a list of them, got {feeds['hub']!r}")
        changes["hubs"] = tuple(hubs)
    if "stylesheet" in feeds:
        sheet = feeds["stylesheet"]
        if not (isinstance(sheet, bool) or isinstance(sheet, str) and sheet.startswith(("http://", "https://", "/"))):
            raise ConfigError(f"{path}: feeds.stylesheet: expected true, false, or the stylesheet's URL "
                              f"(absolute, or a path from the server root), got {sheet!r}")
        changes["stylesheet"] = sheet
    if "archives" in feeds:
        if not isinstance(feeds["archives"], bool):
            raise ConfigError(f"{path}: feeds.archives: expected true or false, got {feeds['archives']!r}")
        changes["archives"] = feeds["archives"]
    if "archive_page_size" in feeds:
        size = feeds["archive_page_size"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ConfigError(f"{path}: feeds.archive_page_size: expected a whole number of at least 1, got {size!r}")
        changes["archive_page_size"] = size
    return changes


def _render_keys(table: dict[str, Any], path: Path) -> dict[str, Any]:
    """`[render]`: dateline_joiner and background_image (docs/config.md)."""
    changes: dict[str, Any] = {}
    unknown = set(table) - {"dateline_joiner", "background_image"}
    if unknown:
        raise ConfigError(f"{path}: render.{sorted(unknown)[0]}: unknown key; expected dateline_joiner or background_image")
    if "dateline_joiner" in table:
        changes["dateline_joiner"] = _str(table, "dateline_joiner", path, "render")
    if "background_image" in table:
        rule = table["background_image"]
        where = "render.background_image"
        if not isinstance(rule, dict) or set(rule) - {"field", "spacers", "base"} or "field" not in rule:
            raise ConfigError(f"{path}: {where}: expected a table with field, spacers and optionally base")
        spacers = rule.get("spacers", [])
        if not isinstance(spacers, list) or not all(isinstance(s, str) and s for s in spacers):
            raise ConfigError(f"{path}: {where}.spacers: expected a list of URL path patterns such as \"/img/spacer*\"")
        changes["background_image"] = BackgroundImage(
            field=_str(rule, "field", path, where), spacers=tuple(spacers),
            base=_str(rule, "base", path, where) if "base" in rule else "/")
    return changes


def _limits(table: dict[str, Any], path: Path) -> dict[str, int]:
    """`[limits]`: max_post_bytes, max_categories, max_posts (docs/check.md)."""
    known = ("max_post_bytes", "max_categories", "max_posts")
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"{path}: limits.{key}: unknown limit; expected one of {', '.join(known)}")
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"{path}: limits.{key}: expected a whole number of at least 1, got {value!r}")
    return dict(table)


def _table(data: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: {key}: expected a table")
    return value


def _str(table: dict[str, Any], key: str, path: Path, where: str = "") -> str:
    value = table[key]
    if not isinstance(value, str):
        raise ConfigError(f"{path}: {where + '.' if where else ''}{key}: expected a string, got {value!r}")
    return value


def _labels(table: dict[str, Any], key: str, path: Path, where: str = "") -> dict[str, str]:
    """A `categories` table: category name -> the label readers see, keyed by the folded name."""
    value = table[key]
    name = f"{where + '.' if where else ''}{key}"
    if not isinstance(value, dict) or not all(isinstance(v, str) and v.strip() for v in value.values()):
        raise ConfigError(f"{path}: {name}: expected a table of category = \"label\" strings")
    return {str(k).casefold(): " ".join(v.split()) for k, v in value.items()}


def _str_list(table: dict[str, Any], key: str, path: Path) -> list[str]:
    value = table[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: feeds.{key}: expected a list of strings")
    return value


def _check_base(url: str, source: object, key: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{source}: {key}: expected an absolute http(s) URL, got {url!r}")
    return url


def _zone(name: str, source: object, key: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{source}: {key}: unknown time zone {name!r}") from exc


def _text(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""
