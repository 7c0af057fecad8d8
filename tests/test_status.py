"""`syndicate status`: every job from the state folder, and exit codes a monitor can act on."""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime, timedelta, timezone

import pytest

from syndicate.cli import main
from syndicate.commands.common import state_dir
from syndicate.daemon import jobstate
from syndicate.system.lock import LockBusy, holder, state_lock

UTC = timezone.utc
T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def board(state, *, stopped: bool = False) -> None:
    """Job state as a daemon leaves it: one feed run that went well, one digest run that failed."""
    doc = jobstate.started({}, {"site": ("feed", "every 15m"), "english-daily": ("digest", "cron '0 6 * * *' UTC")},
                           pid=4242, site="/srv/site", out="/srv/out", now=T0)
    doc = jobstate.with_next_runs(doc, {"site": T0 + timedelta(minutes=15), "english-daily": T0 + timedelta(hours=20)})
    doc = jobstate.with_run(doc, jobstate.JobRun("site", T0, 0.25, "ok", 11, 48, 0))
    doc = jobstate.with_run(doc, jobstate.JobRun("english-daily", T0, 1.5, "error", 3, 4, 0,
                                                 "127.0.0.1:2525: gave up after 4 attempts: ConnectionRefusedError"))
    if stopped:
        doc = jobstate.stopped(doc, T0 + timedelta(hours=1))
    jobstate.JobBoard(state, doc)


def test_every_job_is_listed_with_next_run_last_run_outcome_and_last_error(tmp_path, capsys):
    board(tmp_path)
    with state_lock(tmp_path):  # as a running daemon holds it
        code = main(["status", "--state", str(tmp_path)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1  # a job's last run failed
    assert out[0] == f"{tmp_path} (/srv/site): daemon running (pid {os.getpid()}) since 2026-11-25 10:00:00Z"
    assert out[1].split() == ["JOB", "KIND", "SCHEDULE", "NEXT", "RUN", "LAST", "RUN", "OUTCOME", "TOOK", "ITEMS",
                              "SENT", "LAST", "ERROR"]
    rows = {line.split()[0]: line for line in out[2:]}
    assert set(rows) == {"site", "english-daily"}
    assert rows["site"].split()[1:] == ["feed", "every", "15m", "2026-11-25", "10:15:00Z", "2026-11-25", "10:00:00Z",
                                        "ok", "0.25s", "11", "0", "-"]
    assert "2026-11-26 06:00:00Z" in rows["english-daily"] and " error " in rows["english-daily"]
    assert rows["english-daily"].endswith("2026-11-25 10:00:00Z: 127.0.0.1:2525: gave up after 4 attempts: "
                                          "ConnectionRefusedError")


def test_a_healthy_running_daemon_exits_0(tmp_path, capsys):
    board(tmp_path)
    doc = jobstate.with_run(jobstate.load(tmp_path), jobstate.JobRun("english-daily", T0 + timedelta(hours=1), 1.0,
                                                                     "ok", 3, 4, 1))
    jobstate.JobBoard(tmp_path, doc)
    with state_lock(tmp_path):
        assert main(["status", "--state", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # The earlier failure is still shown, with its time, after the job recovered.
    assert "2026-11-25 10:00:00Z: 127.0.0.1:2525: gave up" in out


def test_a_stopped_daemon_shows_no_next_runs_and_exits_1(tmp_path, capsys):
    board(tmp_path, stopped=True)
    assert main(["status", "--state", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("daemon not running; stopped 2026-11-25 11:00:00Z")
    assert len(out) == 4 and "10:15:00Z" not in out[2] + out[3] and "2026-11-26" not in out[2] + out[3]


def test_a_daemon_that_died_is_reported_as_such(tmp_path, capsys):
    board(tmp_path)  # never marked stopped, and nobody holds the lock
    assert main(["status", "--state", str(tmp_path)]) == 1
    assert "it did not stop cleanly (pid 4242)" in capsys.readouterr().out


def test_no_state_or_damaged_state_exits_2_naming_the_file(tmp_path, capsys):
    assert main(["status", "--state", str(tmp_path / "nothing")]) == 2
    assert "no daemon has run with this state folder" in capsys.readouterr().err
    (tmp_path / "jobs.json").write_text("{not json")
    assert main(["status", "--state", str(tmp_path)]) == 2
    assert f"{tmp_path / 'jobs.json'}: cannot read" in capsys.readouterr().err


def test_without_arguments_every_default_state_folder_is_shown(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    site_a, site_b = tmp_path / "a", tmp_path / "b"
    for site in (site_a, site_b):
        site.mkdir()
        board(state_dir(argparse.Namespace(state=None, site=site)))
    assert main(["status"]) == 1
    out = capsys.readouterr().out
    assert out.count("(/srv/site): daemon not running") == 2
    assert main(["status", str(site_a)]) == 1
    assert capsys.readouterr().out.count("daemon not running") == 1


def test_job_state_keeps_the_history_of_jobs_that_are_still_defined(tmp_path):
    doc = jobstate.started({}, {"a": ("feed", "every 1m"), "b": ("feed", "every 1m")}, pid=1, site="s", out="o", now=T0)
    doc = jobstate.with_run(doc, jobstate.JobRun("a", T0, 0.1, "ok", 1, 1, 0))
    again = jobstate.started(doc, {"a": ("feed", "every 5m"), "c": ("digest", "cron")}, pid=2, site="s", out="o", now=T0)
    assert set(again["jobs"]) == {"a", "c"}  # b was removed from feeds/
    assert again["jobs"]["a"]["schedule"] == "every 5m" and again["jobs"]["a"]["outcome"] == "ok"
    assert again["daemon"]["pid"] == 2 and again["daemon"]["stopped"] is None
    jobstate.JobBoard(tmp_path, again)
    assert json.loads((tmp_path / "jobs.json").read_text()) == again


def test_the_state_lock_names_its_holder_and_is_free_after(tmp_path):
    assert holder(tmp_path) is None
    with state_lock(tmp_path):
        assert holder(tmp_path) == os.getpid()
        with pytest.raises(LockBusy, match=f"{tmp_path / 'lock'} is held by process {os.getpid()}"):
            with state_lock(tmp_path, wait=0.2):
                pass
    assert holder(tmp_path) is None
