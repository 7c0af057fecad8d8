"""Benchmark `syndicate build` against the floor on synthetic sites of several sizes.

    python benchmarks/run.py --posts 1000 10000 50000 [--repeat 3] [--keep DIR] [--digest]

For each size: generate a corpus (not timed), read it once to warm the OS cache, then time
each of these as its own process, `--repeat` times, and report the median wall time:
the floor (benchmarks/floor.py), a cold build, a no-change rebuild, a rebuild after one new
post, and with --digest one weekly digest. Prints a Markdown table; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path.insert(0, str(BENCHMARKS))
import corpus  # noqa: E402
import floor  # noqa: E402

TIME_V = "/usr/bin/time"
FEED_FILES = ("feed.xml", "atom.xml", "feed.json")
TARGET_COLD, TARGET_NO_CHANGE, TARGET_PLUS_ONE = 3.5, 0.4, 0.5  # multiples of the floor
RSS_TARGETS_MB = ((50_000, 500), (100_000, 1024))  # (up to this many posts, below this many MB)

# Runs one command and reports its own wall time and its child's peak RSS, so that the RSS
# is that one process's (RUSAGE_CHILDREN of a fresh process), never a running total.
RUSAGE_HELPER = """\
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[2:]).returncode
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as report:
    report.write(f"{seconds} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
sys.exit(code)
"""


@dataclass(frozen=True)
class Sample:
    seconds: float
    rss_mb: float
    returncode: int
    stderr: str


@dataclass
class Row:
    posts: int
    floor: float | None = None
    cold: float | None = None
    cold_rss: float | None = None
    no_change: float | None = None
    untouched: bool | None = None
    plus_one: float | None = None
    plus_one_files: int | None = None
    plus_one_strays: tuple[str, ...] = ()  # changed files that are not the new post's feeds
    digest: str = "-"
    failure: str | None = None


# --- measuring one process --------------------------------------------------------------


def measure(command: list[str]) -> Sample:
    """Run `command` once; its wall time and peak resident set size."""
    with tempfile.NamedTemporaryFile("r", suffix=".rusage") as report:
        if os.access(TIME_V, os.X_OK):
            wrapped = [TIME_V, "-v", "-o", report.name, *command]
        else:
            wrapped = [sys.executable, "-c", RUSAGE_HELPER, report.name, *command]
        start = time.perf_counter()
        done = subprocess.run(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - start
        text = Path(report.name).read_text()
    if wrapped[0] == TIME_V:
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        rss_kb = int(match.group(1)) if match else 0
    else:
        seconds, rss_kb = (float(part) for part in text.split()) if text else (seconds, 0)
    return Sample(seconds, rss_kb / 1024, done.returncode, done.stderr)


def freeze_code(dest: Path) -> str:
    """Copy syndicate/ and templates/ to `dest` and make child processes import that copy.

    Every measurement then runs the same code even while the checkout is being edited, and
    syndicate's cache (keyed by a digest of its own source) stays valid between runs.
    Returns a short digest of the copied files, to tell runs of different code apart.
    """
    digest = hashlib.sha256()
    for name in ("syndicate", "templates"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for path in sorted(dest.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(dest).as_posix().encode() + path.read_bytes())
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (str(dest), os.environ.get("PYTHONPATH"))))
    os.environ["PYTHONSAFEPATH"] = "1"  # else `python -m` run from the checkout imports it first
    return digest.hexdigest()[:12]


def repeated(command: list[str], times: int, before=None, after=None) -> list[Sample]:
    """`times` runs of `command`, calling before() and after(sample) around each one."""
    samples = []
    for _ in range(times):
        if before:
            before()
        sample = measure(command)
        if sample.returncode != 0:
            raise CommandFailed(command, sample)
        if after:
            after(sample)
        samples.append(sample)
    return samples


class CommandFailed(Exception):
    def __init__(self, command: list[str], sample: Sample):
        tail = "\n".join(sample.stderr.strip().splitlines()[-15:])
        super().__init__(f"{' '.join(command[:5])} ... exited {sample.returncode}\n{tail}")


def median_seconds(samples: list[Sample]) -> float:
    return statistics.median(sample.seconds for sample in samples)


# --- syndicate commands -----------------------------------------------------------------


def syndicate(*args: str) -> list[str]:
    return [sys.executable, "-m", "syndicate", *args]


def build_command(site: Path, out: Path, state: Path) -> list[str]:
    return syndicate("build", str(site), "--out", str(out), "--state", str(state), "--quiet")


def available(*command: str) -> bool:
    """Whether `syndicate <command> --help` runs: the command may not be written yet."""
    done = subprocess.run(syndicate(*command, "--help"), capture_output=True)
    return done.returncode == 0


def fresh(*folders: Path) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


# --- checking outputs -------------------------------------------------------------------


def snapshot(out: Path) -> dict[str, tuple[int, str]]:
    """Every output file: relative path -> (mtime_ns, sha256 of its bytes)."""
    files = {}
    for path in out.rglob("*"):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            files[path.relative_to(out).as_posix()] = (path.stat().st_mtime_ns, digest)
    return files


def changed_files(before: dict, after: dict) -> set[str]:
    """Files added, removed, rewritten or touched."""
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def slug(name: str) -> str:
    """A category's folder name; the corpus's categories are plain ASCII, so this suffices."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def own_feeds(post_path: Path) -> set[str]:
    """The output files a new post belongs in: site, language and language+category feeds."""
    meta = floor.front_matter(post_path.read_text(encoding="utf-8"))
    language = slug(meta["language"])
    folders = ["", language, *(f"{language}/{slug(c)}" for c in str(meta["categories"]).split())]
    return {f"{folder}/{name}".lstrip("/") for folder in folders for name in FEED_FILES}


def newest_date(site: Path, language: str) -> str:
    return max(entry.name[:10] for entry in os.scandir(site / language / "_posts"))


# --- one size ---------------------------------------------------------------------------


def bench_size(posts: int, work: Path, args: argparse.Namespace) -> Row:
    row = Row(posts)
    site, out, state = work / "site", work / "out", work / "state"
    log(f"{posts} posts: generating corpus in {site}")
    corpus.generate(site, posts, args.seed)
    floor_command = [sys.executable, str(BENCHMARKS / "floor.py"), str(site)]
    measure(floor_command)  # warm-up: puts every post in the OS cache; not timed
    row.floor = median_seconds(repeated(floor_command, args.repeat))
    log(f"  floor {row.floor:.2f} s")
    if not available("build"):
        row.failure = "syndicate build n/a"
        return row
    try:
        bench_builds(row, site, out, state, args)
        if args.digest:
            row.digest = bench_digest(site, work, args)
    except CommandFailed as failed:
        row.failure = "build failed"
        log(f"  {failed}")
    return row


def bench_builds(row: Row, site: Path, out: Path, state: Path, args: argparse.Namespace) -> None:
    build = build_command(site, out, state)
    cold = repeated(build, args.repeat, before=lambda: fresh(out, state))
    row.cold, row.cold_rss = median_seconds(cold), max(sample.rss_mb for sample in cold)
    log(f"  cold {row.cold:.2f} s, {row.cold_rss:.0f} MB")

    built = snapshot(out)
    untouched = []
    no_change = repeated(build, args.repeat, after=lambda _: untouched.append(snapshot(out) == built))
    row.no_change, row.untouched = median_seconds(no_change), all(untouched)
    log(f"  no-change {row.no_change:.2f} s, untouched: {row.untouched}")

    seconds, counts, strays = [], [], set()
    for run in range(args.repeat):
        before = snapshot(out)
        new_post = corpus.add_post(site, args.seed + 1 + run)
        seconds.append(repeated(build, 1)[0].seconds)
        changed = changed_files(before, snapshot(out))
        counts.append(len(changed))
        strays |= changed - own_feeds(new_post)
        log(f"  +1 post {seconds[-1]:.2f} s: {new_post.name}, {len(changed)} files changed")
    row.plus_one = statistics.median(seconds)
    row.plus_one_files, row.plus_one_strays = int(statistics.median(counts)), tuple(sorted(strays))


def bench_digest(site: Path, work: Path, args: argparse.Namespace) -> str:
    """Median seconds of one weekly English digest for the newest week, or why there is none."""
    if not available("digest"):
        return "n/a"
    out, state = work / "digest-out", work / "digest-state"
    command = syndicate(
        "digest", str(site), "--language", "english", "--period", "weekly",
        "--date", newest_date(site, "english"), "--out", str(out), "--state", str(state),
    )
    try:
        samples = repeated(command, args.repeat, before=lambda: fresh(out, state))
    except CommandFailed as failed:
        log(f"  {failed}")
        return "failed"
    log(f"  digest {median_seconds(samples):.2f} s")
    return f"{median_seconds(samples):.2f} s"


# --- report -----------------------------------------------------------------------------

HEADER = (
    "posts", "floor s", "cold s (x floor)", "no-change s (x floor)", "+1 post s (x floor)",
    "peak RSS MB cold", "files rewritten on +1", "digest",
)


def versus_floor(seconds: float | None, floor_seconds: float, target: float) -> str:
    if seconds is None:
        return "-"
    ratio = seconds / floor_seconds
    verdict = "ok" if ratio <= target else "MISS"
    return f"{seconds:.2f} ({ratio:.2f}x; target ≤{target}x: {verdict})"


def rss_cell(row: Row) -> str:
    if row.cold_rss is None:
        return "-"
    limit = next((mb for posts, mb in RSS_TARGETS_MB if row.posts <= posts), None)
    if limit is None:
        return f"{row.cold_rss:.0f}"
    return f"{row.cold_rss:.0f} (target <{limit}: {'ok' if row.cold_rss < limit else 'MISS'})"


def plus_one_files_cell(row: Row) -> str:
    if row.plus_one_files is None:
        return "-"
    if not row.plus_one_strays:
        return f"{row.plus_one_files} (only its feeds)"
    return f"{row.plus_one_files} ({len(row.plus_one_strays)} not its feeds)"


def table_row(row: Row) -> tuple[str, ...]:
    if row.failure and row.cold is None:
        return (f"{row.posts:,}", f"{row.floor:.2f}", *[row.failure] * 5, row.digest)
    no_change = versus_floor(row.no_change, row.floor, TARGET_NO_CHANGE)
    untouched = {True: "yes", False: "NO", None: "-"}[row.untouched]
    return (
        f"{row.posts:,}",
        f"{row.floor:.2f}",
        versus_floor(row.cold, row.floor, TARGET_COLD),
        f"{no_change}, untouched: {untouched}",
        versus_floor(row.plus_one, row.floor, TARGET_PLUS_ONE),
        rss_cell(row),
        plus_one_files_cell(row),
        row.digest,
    )


def markdown_table(rows: list[Row]) -> str:
    lines = [HEADER, ("---",) * len(HEADER), *map(table_row, rows)]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def notes(rows: list[Row], args: argparse.Namespace, code: str) -> str:
    rss_tool = f"{TIME_V} -v" if os.access(TIME_V, os.X_OK) else "getrusage(RUSAGE_CHILDREN) of a fresh helper"
    lines = [
        f"Median of {args.repeat} runs each; corpus seed {args.seed}; {os.cpu_count()} cores; "
        f"Python {sys.version.split()[0]}; syndicate source digest {code}.",
        "OS caches cannot be dropped here: every post was read once, untimed, before the floor was timed.",
        f"Peak RSS: the largest single process, from {rss_tool}.",
    ]
    for row in rows:
        if row.plus_one_strays:
            lines.append(f"{row.posts:,} posts, changed on +1 but not its feeds: {', '.join(row.plus_one_strays[:10])}")
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def workspace(keep: str | None, posts: int):
    """A folder for one size: under --keep (left in place) or a temporary one."""
    if keep is None:
        with tempfile.TemporaryDirectory(prefix=f"syndicate-bench-{posts}-") as tmp:
            yield Path(tmp)
        return
    work = Path(keep) / str(posts)
    fresh(work)
    work.mkdir(parents=True)
    yield work


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 10000], help="corpus sizes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timed measurement")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--keep", metavar="DIR", help="keep corpora and outputs in DIR/<posts>/")
    parser.add_argument("--digest", action="store_true", help="also time one weekly digest")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="syndicate-code-") as frozen:
        code = freeze_code(Path(frozen))
        for posts in args.posts:
            with workspace(args.keep, posts) as work:
                rows.append(bench_size(posts, work, args))
    print(notes(rows, args, code))
    print()
    print(markdown_table(rows))
    return 0 if all(row.failure is None for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
