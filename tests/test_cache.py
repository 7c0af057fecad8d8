"""The build cache in the state folder: incremental builds equal fresh ones, and a cache that is
damaged or from another version is rebuilt, never trusted."""

from __future__ import annotations

import logging
import marshal
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from feedcheck import all_outputs

import syndicate.pipeline.site
from syndicate.config import load_settings
from syndicate.pipeline.build import build
from syndicate.pipeline.cache import Cache, HeaderRecord
from syndicate.select import Entry

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
KEY = "test-key"


def _record(n: int, title: str = "A title") -> HeaderRecord:
    source = f"english/_posts/2024-01-{n:02d}-post-{n}.md"
    entry = Entry(source, 1_700_000_000.0 + n, "english", ("politics",), f"https://x.test/p{n}.html",
                  f"/p{n}.html", title)
    return HeaderRecord(source, (100 + n, 5_000 + n), entry, b"pickled", ())


def _meta(path: Path, key: str) -> bytes:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()[0]


def test_index_changes_are_kept_beside_it_until_they_outgrow_it(tmp_path: Path):
    path = tmp_path / "cache.sqlite"
    cache = Cache(path, KEY)
    cache.begin()
    cache.put_headers([_record(n) for n in range(1, 65)])
    cache.commit()
    cache.close()
    index = _meta(path, "entries")

    # one new post and one edited title: the index blob stays as it was, the changes go beside it
    cache = Cache(path, KEY)
    cache.begin()
    cache.put_headers([_record(70), _record(2, "Edited")])
    cache.forget({_record(3).source})
    cache.commit()
    cache.close()
    assert _meta(path, "entries") == index
    assert len(marshal.loads(_meta(path, "changes"))) == 3

    reopened = Cache(path, KEY)
    entries = reopened.entries
    assert len(entries) == 64
    assert entries[_record(70).source] == ((170, 5070), _record(70).entry)
    assert entries[_record(2).source][1].title == "Edited"
    assert _record(3).source not in entries

    # many changes: the index is rewritten whole and the list of changes emptied
    reopened.begin()
    reopened.put_headers([_record(n, "Again") for n in range(4, 20)])
    reopened.commit()
    reopened.close()
    assert _meta(path, "entries") != index
    assert marshal.loads(_meta(path, "changes")) == {}
    final = Cache(path, KEY).entries
    assert final == entries | {_record(n).source: ((100 + n, 5_000 + n), _record(n, "Again").entry)
                               for n in range(4, 20)}


def test_an_empty_site_keeps_its_cache(tmp_path: Path):
    path = tmp_path / "cache.sqlite"
    cache = Cache(path, KEY)
    cache.begin()
    cache.state = {"kept": 1}
    cache.commit()
    cache.close()
    assert Cache(path, KEY).state == {"kept": 1}


@pytest.fixture
def site(sample_site: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(sample_site, copy)
    return copy


def _assert_same_as_fresh(site: Path, warm_out: Path, state: Path, tmp_path: Path, step: str):
    settings = load_settings(site)
    warm = build(settings, warm_out, now=NOW, state_dir=state)
    cold_out = tmp_path / f"cold-{step}"
    cold = build(settings, cold_out, now=NOW, state_dir=None)
    assert all_outputs(warm_out) == all_outputs(cold_out), step
    assert sorted(map(repr, warm.problems)) == sorted(map(repr, cold.problems)), step
    assert warm.posts_published == cold.posts_published, step
    return warm


def test_any_series_of_edits_builds_what_a_fresh_build_builds(site: Path, tmp_path: Path):
    out, state = tmp_path / "out", tmp_path / "state"
    posts = sorted((site / "english" / "_posts").glob("*.md"))
    first = _assert_same_as_fresh(site, out, state, tmp_path, "first")
    assert first.posts_read == 107

    new = site / "english" / "_posts" / "2018-08-01-results-are-in.md"
    new.write_text("---\ntitle: Results are in\ncategories: politics\n---\n\nThe count is over.\n", encoding="utf-8")
    added = _assert_same_as_fresh(site, out, state, tmp_path, "added")
    assert added.posts_read == 1 and "english/feed.xml" in added.files_written

    posts[0].write_text(posts[0].read_text(encoding="utf-8").replace("title:", "title: Edited —", 1),
                        encoding="utf-8")
    posts[1].unlink()
    posts[2].rename(posts[2].with_name("2018-06-01-a-new-name.md"))
    _assert_same_as_fresh(site, out, state, tmp_path, "edited, deleted, renamed")

    new.write_text('---\ntitle: "never closed\n---\nbody\n', encoding="utf-8")
    broken = _assert_same_as_fresh(site, out, state, tmp_path, "broken")
    assert any(p.source.endswith("results-are-in.md") and p.severity == "error" for p in broken.problems)
    new.write_text("---\ntitle: Results, fixed\n---\n\nThe count is over.\n", encoding="utf-8")
    fixed = _assert_same_as_fresh(site, out, state, tmp_path, "fixed")
    assert not any(p.source.endswith("results-are-in.md") for p in fixed.problems)

    for path in posts[3:30]:  # enough to rewrite the whole index
        path.unlink()
    _assert_same_as_fresh(site, out, state, tmp_path, "many deleted")


def test_a_corrupt_cache_is_rebuilt_not_trusted(site: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    out, state = tmp_path / "out", tmp_path / "state"
    build(load_settings(site), out, now=NOW, state_dir=state)
    (state / "cache.sqlite").write_bytes(b"not a database at all" * 100)
    for suffix in ("-wal", "-shm"):
        (state / f"cache.sqlite{suffix}").unlink(missing_ok=True)
    with caplog.at_level(logging.WARNING):
        report = _assert_same_as_fresh(site, out, state, tmp_path, "garbage file")
    assert report.posts_read == 107
    assert any("unreadable" in r.getMessage() for r in caplog.records)

    with sqlite3.connect(state / "cache.sqlite") as db:  # a readable database with a torn index
        db.execute("UPDATE meta SET value=? WHERE key='entries'", (b"\x00torn",))
    edited = next((site / "khmer" / "_posts").glob("*.md"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        report = _assert_same_as_fresh(site, out, state, tmp_path, "torn index")
    assert report.posts_read == 107
    assert any("unreadable index" in r.getMessage() for r in caplog.records)


def test_a_cache_from_another_version_or_configuration_is_ignored(site: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    out, state = tmp_path / "out", tmp_path / "state"
    build(load_settings(site), out, now=NOW, state_dir=state)
    key = syndicate.pipeline.site.cache_key
    monkeypatch.setattr(syndicate.pipeline.site, "cache_key", lambda settings: key(settings) + "-next")
    report = _assert_same_as_fresh(site, out, state, tmp_path, "next version")
    assert report.posts_read == 107 and report.posts_cached == 0
