"""output_plan.py: the one place that decides which outputs are stale, over the files and digests
a real build of the example site left behind."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from syndicate.config import load_settings
from syndicate.pipeline.build import FeedFilter, build
from syndicate.pipeline.site import Site
from syndicate.system.output import UnsafePath, write_if_changed
from syndicate.system.output_plan import OutputPlan, inputs_digest

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


@pytest.fixture
def built(example_site: Path, tmp_path: Path) -> Iterator[tuple[OutputPlan, dict[str, str]]]:
    """A plan over OUT and the cache a build of the example site left, and the digests recorded."""
    settings = load_settings(example_site)
    out, state = tmp_path / "out", tmp_path / "state"
    build(settings, out, now=NOW, state_dir=state)
    with Site.open(settings, state) as site:
        yield OutputPlan(site.cache, out), dict(site.cache.outputs)


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _never() -> bytes:
    raise AssertionError("a current file was made")


def test_only_changed_or_missing_files_are_made_and_only_the_filters_unplanned_files_removed(built):
    plan, recorded = built
    out = plan.out_dir
    before = _files(out)
    (out / "khmer/feed.json").unlink()
    changed = inputs_digest("khmer/atom.xml from other inputs")

    plan.put("khmer/feed.xml", recorded["khmer/feed.xml"], _never)  # same inputs, file there
    plan.put("khmer/atom.xml", changed, lambda: b"<feed/>")
    plan.put("khmer/feed.json", recorded["khmer/feed.json"], lambda: before["khmer/feed.json"])
    removed = plan.remove_stale(FeedFilter(language="khmer").covers)

    after = _files(out)
    assert after["khmer/feed.xml"] == before["khmer/feed.xml"]
    assert after["khmer/atom.xml"] == b"<feed/>"
    assert after["khmer/feed.json"] == before["khmer/feed.json"]
    assert plan.written == ["khmer/atom.xml", "khmer/feed.json"] and plan.unchanged == 1
    assert plan.produced == {"khmer/feed.xml", "khmer/atom.xml", "khmer/feed.json"}
    assert plan.recorded["khmer/atom.xml"] == changed
    # Every other Khmer file is gone from disk and from the record; English and site-wide files stay.
    others = {rel for rel in recorded if rel.startswith("khmer/")} - plan.produced
    assert "khmer/index.html" in others and "khmer/economy/feed.xml" in others
    assert removed == sorted(others)
    assert not others & set(after) and not others & set(plan.recorded)
    kept = {rel: data for rel, data in before.items() if not rel.startswith("khmer/")}
    assert {"feed.xml", "index.html", "feeds.opml", "english/feed.xml"} <= set(kept)
    assert {rel: after[rel] for rel in kept} == kept
    assert {rel: plan.recorded[rel] for rel in kept} == {rel: recorded[rel] for rel in kept}


def test_a_file_written_elsewhere_is_recorded_and_equal_bytes_count_as_unchanged(built):
    plan, recorded = built
    out = plan.out_dir
    new_inputs = inputs_digest("english/feed.xml, settings changed but not its bytes")
    assert plan.want("english/feed.xml", new_inputs)
    assert not plan.want("english/atom.xml", recorded["english/atom.xml"])
    assert plan.unchanged == 1  # the feed to make is neither written nor unchanged yet
    # A worker process gets the confined path, writes, and the plan records what it reports.
    plan.record("english/feed.xml", write_if_changed(plan.path("english/feed.xml"),
                                                     (out / "english/feed.xml").read_bytes()))
    assert plan.written == [] and plan.unchanged == 2
    assert plan.recorded["english/feed.xml"] == new_inputs
    assert plan.remove_stale(FeedFilter(language="english", formats=("rss",)).covers) == sorted(
        rel for rel in recorded if rel.startswith("english/") and rel.rpartition("/")[2] in ("feed.xml", "index.html")
        and rel != "english/feed.xml")
    with pytest.raises(UnsafePath):
        plan.path("../elsewhere/feed.xml")
