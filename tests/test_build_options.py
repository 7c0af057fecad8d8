"""The effect of each `syndicate build` option on the example site, through the command itself.
(`--no-ping` is pinned in test_websub.py, the settings `--config` carries in
test_settings_effects.py.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from syndicate import cli

NOW = "2026-11-25T00:00:00+00:00"


def build(capsys, site: Path, out: Path, *options: str) -> tuple[int, str, str]:
    code = cli.main(["build", str(site), "--out", str(out), *options])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def titles(out: Path, folder: str = "english") -> list[str]:
    return [i["title"] for i in json.loads((out / folder / "feed.json").read_text(encoding="utf-8"))["items"]]


def test_out_state_quiet_verbose_and_strict(example_site, tmp_path, capsys):
    site = tmp_path / "site"
    shutil.copytree(example_site, site)
    (site / "english" / "_posts" / "2026-11-22-broken-front-matter.md").write_text(
        '---\ntitle: "A story whose front matter was saved half-way\ndate: 2026-11-22\n', encoding="utf-8")
    state = tmp_path / "state"
    code, out, err = build(capsys, site, tmp_path / "out", "--state", str(state), "--now", NOW, "-v")
    written = [line.removeprefix("wrote ") for line in out.splitlines() if line.startswith("wrote ")]
    assert code == 0 and len(written) == len({p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*")
                                              if p.is_file()})
    assert f"{len(written)} files written" in out and "1 error" in out
    assert "2026-11-22-broken-front-matter.md" in err  # the broken post is named, the build goes on
    assert (state / "cache.sqlite").is_file()
    # -q: nothing but errors; a rebuild with nothing new says so unless quiet
    code, out, err = build(capsys, site, tmp_path / "out", "--state", str(state), "--now", NOW, "-q")
    assert (code, out) == (0, "") and err.startswith("error: english/_posts/2026-11-22-broken-front-matter.md")
    assert "nothing changed since the last build" in build(capsys, site, tmp_path / "out", "--state",
                                                           str(state), "--now", NOW)[1]
    # --strict: the same build exits 1 for the post it could not publish
    assert build(capsys, site, tmp_path / "out", "--state", str(state), "--now", NOW, "--strict")[0] == 1


def test_without_state_the_cache_goes_under_xdg_state_home(example_site, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert build(capsys, example_site, tmp_path / "out", "--now", NOW, "-q")[0] == 0
    (cache,) = (tmp_path / "xdg" / "syndicate").glob("site-*/cache.sqlite")
    assert cache.is_file()


def test_now_decides_which_posts_are_published(example_site, tmp_path, capsys):
    build(capsys, example_site, tmp_path / "late", "--state", str(tmp_path / "s1"), "--now", NOW, "-q")
    build(capsys, example_site, tmp_path / "early", "--state", str(tmp_path / "s2"), "--now",
          "2026-11-10T00:00:00+07:00", "-q")
    assert titles(tmp_path / "early") == titles(tmp_path / "late")[-3:]  # the ferry, the rice, the dolphins
    assert len(titles(tmp_path / "late")) == 6


def test_config_reaches_the_build(example_site, tmp_path, capsys):
    config = tmp_path / "syndicate.toml"
    config.write_text("[feeds]\nlimit = 1\n", encoding="utf-8")
    build(capsys, example_site, tmp_path / "out", "--state", str(tmp_path / "s"), "--now", NOW, "-q",
          "--config", str(config))
    assert len(titles(tmp_path / "out")) == 1
