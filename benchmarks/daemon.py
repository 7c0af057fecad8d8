"""Benchmark `syndicate run`: how soon a saved, edited or deleted post reaches its feeds, and
how long the daemon takes to start, cold and with the state a previous run left.

    python benchmarks/daemon.py --posts 10000 [--saves 5] [--debounce 0.2] [--keep DIR]

For each size: generate a corpus (not timed); start the daemon with empty folders (cold
start-up: launch to its first feed job's log line); write `--saves` new posts one at a time,
then edit each, then delete each, and for every change take the time from the end of the
debounce (the daemon's "post file(s) changed" log line) to the newest status-change time among
the post's own feed files (site, language, language+category; RSS, Atom, JSON), once the
rebuild's job line is logged. Then stop it and start it again on the same state (warm
start-up), alternating with a no-change `syndicate build` of the same site (its own state
folder), whose time the target is relative to. Prints a Markdown table of medians and ranges.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
import corpus  # noqa: E402
import run  # noqa: E402

CHANNEL = "feeds"  # the default channel: every feed
TARGET_MS = ((10_000, 50), (100_000, 100))  # (up to this many posts, median ms from debounce to disk)
STARTUP_MARGIN = 0.2  # warm start-up target: the CLI's no-change time plus this many seconds
LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")


class Daemon:
    """One `syndicate run` process and its log, read as it comes."""

    def __init__(self, site: Path, out: Path, state: Path, debounce: float):
        self.started = time.time()
        self.process = subprocess.Popen(
            run.syndicate("run", str(site), "--out", str(out), "--state", str(state), "--debounce", str(debounce)),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=state.parent)
        self.lines: list[tuple[float, str]] = []  # (time the line was logged, line)
        self._new = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            match = LOG_TIME.match(line)
            when = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp() if match else time.time()
            with self._new:
                self.lines.append((when, line.rstrip("\n")))
                self._new.notify_all()

    def wait_for(self, text: str, after: int = 0, timeout: float = 600) -> tuple[int, float]:
        """(index, log time) of the first line from `after` on that contains `text`."""
        deadline = time.monotonic() + timeout
        with self._new:
            while True:
                for index in range(after, len(self.lines)):
                    if text in self.lines[index][1]:
                        return index, self.lines[index][0]
                if self.process.poll() is not None or not self._new.wait(deadline - time.monotonic()):
                    tail = "\n".join(line for _, line in self.lines[-20:])
                    raise RuntimeError(f"no {text!r} in the daemon's log:\n{tail}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=120)

    def __enter__(self) -> Daemon:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def feed_files(post: Path) -> list[str]:
    return [f"{folder}/{name}".lstrip("/") for folder in run.own_folders(post) for name in run.FEED_FILES]


def change_latency(daemon: Daemon, out: Path, change) -> tuple[Path, float]:
    """(the post, seconds from the end of the debounce after `change()` to the last of the
    post's feed files written); `change()` returns the post it saved, edited or deleted, and its feed files."""
    before = {path.relative_to(out).as_posix(): _ctime(path) for path in out.rglob("*") if path.name in run.FEED_FILES}
    mark = len(daemon.lines)
    post, files = change()
    at, debounced = daemon.wait_for("post file(s) changed", mark)
    daemon.wait_for(f"job={CHANNEL} kind=feed outcome=ok", at)
    written = [_ctime(out / name) for name in files]
    if any(after == before.get(name, 0) for name, after in zip(files, written, strict=True)):
        tail = "\n".join(line for _, line in daemon.lines[mark:])
        raise RuntimeError(f"not every feed of {post.name} was rewritten: {files}\n{tail}")
    return post, max(written) / 1e9 - debounced


def _ctime(path: Path) -> int:
    # The status-change time: set by the rename that puts the finished file in place (after its
    # fsync), where the modification time is set by the write before it.
    try:
        return path.stat().st_ctime_ns
    except FileNotFoundError:
        return 0


def edit(path: Path) -> None:
    corpus.save_atomically(path, path.read_text(encoding="utf-8").replace("title: ", "title: Edited — ", 1))


def bench_size(posts: int, work: Path, args: argparse.Namespace) -> dict:
    site, out, state = work / "site", work / "out", work / "state"
    cli_out, cli_state = work / "cli-out", work / "cli-state"
    run.log(f"{posts} posts: generating corpus in {site}")
    corpus.generate(site, posts, args.seed)
    subprocess.run([sys.executable, str(BENCHMARKS / "floor.py"), str(site)], capture_output=True)  # warm the OS cache
    state.mkdir(parents=True)
    row: dict = {"posts": posts}

    with Daemon(site, out, state, args.debounce) as daemon:
        measure_changes(daemon, row, site, out, args)
    subprocess.run(run.build_command(site, cli_out, cli_state), check=True)  # the CLI's own cold build
    row["warm_start"], row["cli_no_change"] = [], []
    for _ in range(args.repeat):  # interleaved: the machine's speed drifts
        row["cli_no_change"].append(run.measure(run.build_command(site, cli_out, cli_state)).seconds)
        with Daemon(site, out, state, args.debounce) as daemon:
            _, first = daemon.wait_for(f"job={CHANNEL} kind=feed outcome=")
            row["warm_start"].append(first - daemon.started)
        run.log(f"  warm start-up {row['warm_start'][-1]:.2f} s, CLI no-change {row['cli_no_change'][-1]:.2f} s")
    return row


def measure_changes(daemon: Daemon, row: dict, site: Path, out: Path, args: argparse.Namespace) -> None:
    """Cold start-up, then saves, edits and deletions, one at a time."""
    _, first = daemon.wait_for(f"job={CHANNEL} kind=feed outcome=")
    row["cold_start"] = first - daemon.started
    try:
        daemon.wait_for("ready for saved posts", timeout=30)
    except RuntimeError:  # a version of syndicate that does not say so: give it time
        time.sleep(2)
    time.sleep(2)  # the watcher's first look, a full listing after its first quiet second, is not timed
    run.log(f"  cold start-up {row['cold_start']:.2f} s")
    saved: list[tuple[Path, list[str]]] = []

    def save(i: int) -> tuple[Path, list[str]]:
        path = corpus.add_post(site, args.seed + 100 + i)
        saved.append((path, feed_files(path)))
        return saved[-1]

    def changed(i: int, action) -> tuple[Path, list[str]]:
        action(saved[i][0])
        return saved[i]

    for kind in ("save", "edit", "delete"):
        row[kind] = []
        for i in range(args.saves):
            if kind == "save":
                post, seconds = change_latency(daemon, out, lambda i=i: save(i))
            else:
                post, seconds = change_latency(daemon, out, lambda i=i, kind=kind: changed(
                    i, edit if kind == "edit" else Path.unlink))
            row[kind].append(seconds)
            run.log(f"  {kind} {post.name}: {seconds * 1000:.0f} ms")
            time.sleep(args.debounce * 2)


def spread(values: list[float], scale: float = 1.0, unit: str = "") -> str:
    return (f"{statistics.median(values) * scale:.0f}{unit} "
            f"({min(values) * scale:.0f}–{max(values) * scale:.0f})") if scale != 1.0 else (
        f"{statistics.median(values):.2f}{unit} ({min(values):.2f}–{max(values):.2f})")


def table(rows: list[dict]) -> str:
    header = ("posts", "save → feeds ms", "edit → feeds ms", "delete → feeds ms", "target ms",
              "cold start-up s", "warm start-up s", "CLI no-change s", "warm start-up target")
    lines = [header, ("---",) * len(header)]
    for row in rows:
        target = next((ms for posts, ms in TARGET_MS if row["posts"] <= posts), None)
        worst = max(statistics.median(row[kind]) for kind in ("save", "edit", "delete")) * 1000
        verdict = "-" if target is None else f"≤{target}: {'ok' if worst <= target else 'MISS'}"
        warm, cli = statistics.median(row["warm_start"]), statistics.median(row["cli_no_change"])
        lines.append((
            f"{row['posts']:,}", *(spread(row[kind], 1000) for kind in ("save", "edit", "delete")), verdict,
            f"{row['cold_start']:.2f}", spread(row["warm_start"], unit=" s"), spread(row["cli_no_change"], unit=" s"),
            f"≤{cli + STARTUP_MARGIN:.2f} s: {'ok' if warm <= cli + STARTUP_MARGIN else 'MISS'}",
        ))
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, nargs="+", default=[10000], help="corpus sizes")
    parser.add_argument("--saves", type=int, default=5, help="posts saved, then edited, then deleted")
    parser.add_argument("--repeat", type=int, default=3, help="warm start-ups (each beside a CLI no-change build)")
    parser.add_argument("--debounce", type=float, default=0.2, help="the daemon's --debounce")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--keep", metavar="DIR", help="keep corpora and outputs in DIR/<posts>/")
    args = parser.parse_args(argv)
    rows, load_before = [], os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="syndicate-code-") as frozen:
        code = run.freeze_code(Path(frozen))
        for posts in args.posts:
            with run.workspace(args.keep, posts) as work:
                rows.append(bench_size(posts, work, args))
    print(f"Medians (ranges) of {args.saves} saves, edits and deletions, {args.repeat} warm start-ups; debounce "
          f"{args.debounce} s; corpus seed {args.seed}; {os.cpu_count()} cores; syndicate source digest {code}. "
          + run.load_note(load_before))
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
