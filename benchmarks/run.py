"""Benchmark `syndicate build` against the floor on synthetic sites of several sizes.

    python benchmarks/run.py --posts 1000 10000 50000 [--repeat 3] [--keep DIR] [--digest]

For each size: generate a corpus (not timed), read it once to warm the OS cache, then time
each of these as its own process, `--repeat` times, and report the median wall time:
the floor (benchmarks/floor.py), a cold build, a no-change rebuild, a rebuild after one new
post, and with --digest one weekly digest. The floor is also run once before every timed
build, and its median over all those runs is the one the builds are compared with: on a
shared machine its speed drifts by a quarter over minutes. Prints a Markdown table; see
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path.insert(0, str(BENCHMARKS))
import corpus  # noqa: E402
import floor  # noqa: E402
import hugo  # noqa: E402

TIME_V = "/usr/bin/time"
FEED_FILES = ("feed.xml", "atom.xml", "feed.json")
TARGET_COLD, TARGET_NO_CHANGE, TARGET_PLUS_ONE = 3.5, 0.4, 0.5  # multiples of the floor
RSS_TARGETS_MB = ((50_000, 500), (100_000, 1024))  # (up to this many posts, below this many MB)
SAMPLE_SECONDS = 0.2  # how often the memory of a measured process tree is sampled
RESCAN_EVERY = 5  # samples between looks for new workers: listing /proc costs ~10 ms

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
    rss_mb: float  # peak RSS of the largest single process
    tree_mb: float  # peak summed PSS of the process and its workers, sampled (0 without /proc)
    returncode: int
    stderr: str


@dataclass
class Row:
    posts: int
    floor: float | None = None
    cold: float | None = None
    cold_rss: float | None = None
    cold_tree: float | None = None
    no_change: float | None = None
    untouched: bool | None = None
    plus_one: float | None = None
    plus_one_files: int | None = None
    plus_one_strays: tuple[str, ...] = ()  # changed files that are not the new post's feeds
    plus_one_missed: tuple[str, ...] = ()  # the new post's feeds left unchanged
    digest: str = "-"
    hugo_cold: float | None = None
    cold_beside_hugo: float | None = None  # syndicate's cold builds, alternating with Hugo's
    hugo_rss: float | None = None
    hugo_plus_one: float | None = None
    failure: str | None = None


# --- measuring one process --------------------------------------------------------------


def measure(command: list[str]) -> Sample:
    """Run `command` once; its wall time and peak memory."""
    use_time_v = os.access(TIME_V, os.X_OK)
    with tempfile.NamedTemporaryFile("r", suffix=".rusage") as report:
        if use_time_v:
            wrapped = [TIME_V, "-v", "-o", report.name, *command]
        else:
            wrapped = [sys.executable, "-c", RUSAGE_HELPER, report.name, *command]
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        with TreeMemory(process.pid) as tree:
            stderr = process.communicate()[1]
        seconds = time.perf_counter() - start
        text = Path(report.name).read_text()
    if use_time_v:
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        rss_kb = int(match.group(1)) if match else 0
    else:  # the helper's own timer leaves out its start-up
        helper_seconds, helper_rss_kb = text.split()
        seconds, rss_kb = float(helper_seconds), int(helper_rss_kb)
    return Sample(seconds, rss_kb / 1024, tree.peak_kb / 1024, process.returncode, stderr)


class TreeMemory:
    """The peak summed PSS of a process and all its descendants, sampled from /proc.

    getrusage and `time -v` give the largest single process only; a build that forks workers
    uses more than that, and PSS counts the pages they share once.
    """

    def __init__(self, pid: int):
        self.pid = pid
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        if os.path.isdir("/proc"):
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _sample(self) -> None:
        tree, samples = [self.pid], 0
        while not self._stop.wait(SAMPLE_SECONDS):
            if samples % RESCAN_EVERY == 0:
                tree = process_tree(self.pid)
            samples += 1
            self.peak_kb = max(self.peak_kb, sum(map(pss_kb, tree)))


def process_tree(root: int) -> list[int]:
    """`root` and every process descended from it."""
    parents = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:  # gone meanwhile
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree = [root]
    for pid in tree:  # grows while it is walked: breadth first
        tree.extend(child for child, parent in parents.items() if parent == pid)
    return tree


def pss_kb(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    match = re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE)
    return int(match.group(1)) if match else 0


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
    # Compiled once, as pip compiles an installed package: with PYTHONDONTWRITEBYTECODE set (as on
    # this project's machines) every process would otherwise compile each module it imports.
    compileall.compile_dir(dest / "syndicate", quiet=1)
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


def own_folders(post_path: Path) -> set[str]:
    """The folders of the feeds a new post belongs in: the site's ("") and its language's and
    language+category feeds'. Each holds that feed's files in every format and its page."""
    meta = floor.front_matter(post_path.read_text(encoding="utf-8"))
    language = slug(meta["language"])
    return {"", language, *(f"{language}/{slug(c)}" for c in str(meta["categories"]).split())}


def folder_of(output: str) -> str:
    return output.rpartition("/")[0]


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
    floors = repeated(floor_command, args.repeat)
    row.floor = median_seconds(floors)
    log(f"  floor {row.floor:.2f} s")
    if not available("build"):
        row.failure = "syndicate build n/a"
        return row

    def floor_again() -> None:
        """One more floor run before each timed build: the machine's speed drifts over minutes,
        so the floor is sampled all through the builds it is compared with."""
        floors.extend(repeated(floor_command, 1))

    try:
        bench_builds(row, site, out, state, args, floor_again)
        row.floor = median_seconds(floors)
        log(f"  floor, all {len(floors)} runs: median {row.floor:.2f} s "
            f"(from {min(s.seconds for s in floors):.2f} to {max(s.seconds for s in floors):.2f} s)")
        if args.digest:
            row.digest = bench_digest(site, work, args)
        if args.hugo:
            bench_hugo(row, site, work, args)
    except CommandFailed as failed:
        row.failure = "build failed"
        log(f"  {failed}")
    return row


def bench_builds(row: Row, site: Path, out: Path, state: Path, args: argparse.Namespace,
                 floor_again: Callable[[], None]) -> None:
    build = build_command(site, out, state)
    cold = repeated(build, args.repeat, before=lambda: (floor_again(), fresh(out, state)))
    row.cold = median_seconds(cold)
    row.cold_rss = max(sample.rss_mb for sample in cold)
    row.cold_tree = max(sample.tree_mb for sample in cold)
    log(f"  cold {row.cold:.2f} s, {row.cold_rss:.0f} MB RSS, {row.cold_tree:.0f} MB PSS with workers")

    built = snapshot(out)
    untouched = []
    no_change = repeated(build, args.repeat, before=floor_again,
                         after=lambda _: untouched.append(snapshot(out) == built))
    row.no_change, row.untouched = median_seconds(no_change), all(untouched)
    log(f"  no-change {row.no_change:.2f} s, untouched: {row.untouched}")

    seconds, counts, strays, missed = [], [], set(), set()
    for run in range(args.repeat):
        before = snapshot(out)
        new_post = corpus.add_post(site, args.seed + 1 + run)
        floor_again()
        seconds.append(repeated(build, 1)[0].seconds)
        changed, folders = changed_files(before, snapshot(out)), own_folders(new_post)
        counts.append(len(changed))
        strays |= {output for output in changed if folder_of(output) not in folders}
        # The newest post goes on top of each of its feeds: every format must change.
        missed |= {f"{folder}/{name}".lstrip("/") for folder in folders for name in FEED_FILES} - changed
        log(f"  +1 post {seconds[-1]:.2f} s: {new_post.name}, {len(changed)} files changed")
    row.plus_one = statistics.median(seconds)
    row.plus_one_files = int(statistics.median(counts))
    row.plus_one_strays, row.plus_one_missed = tuple(sorted(strays)), tuple(sorted(missed))


def bench_digest(site: Path, work: Path, args: argparse.Namespace) -> str:
    """Median seconds of one weekly English digest for the newest week, from an empty state
    folder and from a copy of the state the builds left (its cache warm, no ledger), or why
    there is none."""
    if not available("digest"):
        return "n/a"
    out, state = work / "digest-out", work / "digest-state"
    command = syndicate(
        "digest", str(site), "--language", "english", "--period", "weekly",
        "--date", newest_date(site, "english"), "--out", str(out), "--state", str(state),
    )

    def warm_state() -> None:
        fresh(out, state)
        state.mkdir()
        shutil.copy2(work / "state" / "cache.sqlite", state / "cache.sqlite")

    try:
        cold = repeated(command, args.repeat, before=lambda: fresh(out, state))
        warm = repeated(command, args.repeat, before=warm_state)
    except CommandFailed as failed:
        log(f"  {failed}")
        return "failed"
    log(f"  digest {median_seconds(cold):.2f} s from an empty state, {median_seconds(warm):.2f} s warm")
    return f"{median_seconds(cold):.2f} s; warm {median_seconds(warm):.2f} s (target ≤0.5)"


def bench_hugo(row: Row, site: Path, work: Path, args: argparse.Namespace) -> None:
    """Hugo on the same site (benchmarks/hugo.py): cold builds, then one new post, each timed
    like syndicate's, alternating with syndicate's own cold build of the same site."""
    project, out = work / "hugo", work / "hugo-out"
    hugo.convert(site, project)
    command = hugo.command(project, out)
    ours = build_command(site, work / "out-again", work / "state-again")
    cold, cold_ours = [], []
    for _ in range(args.repeat):  # interleaved with syndicate's cold build: the machine's speed drifts
        fresh(out)
        cold.append(repeated(command, 1)[0])
        fresh(work / "out-again", work / "state-again")
        cold_ours.append(repeated(ours, 1)[0])
    row.hugo_cold, row.hugo_rss = median_seconds(cold), max(sample.rss_mb for sample in cold)
    row.cold_beside_hugo = median_seconds(cold_ours)
    log(f"  hugo cold {row.hugo_cold:.2f} s, {row.hugo_rss:.0f} MB; syndicate cold beside it "
        f"{median_seconds(cold_ours):.2f} s")
    seconds = []
    for i in range(args.repeat):
        hugo.convert_post(corpus.add_post(site, args.seed + 50 + i), project)
        seconds.append(repeated(command, 1)[0].seconds)
    row.hugo_plus_one = statistics.median(seconds)
    log(f"  hugo +1 post {row.hugo_plus_one:.2f} s")


# --- report -----------------------------------------------------------------------------

HEADER = (
    "posts", "floor s", "cold s (x floor)", "no-change s (x floor)", "+1 post s (x floor)",
    "peak RSS MB cold", "files rewritten on +1", "digest", "Hugo cold s (RSS MB); syndicate cold beside it",
    "Hugo +1 post s",
)


def versus_floor(seconds: float | None, floor_seconds: float, target: float) -> str:
    if seconds is None:
        return "-"
    ratio = seconds / floor_seconds
    verdict = "ok" if ratio <= target else "MISS"
    return f"{seconds:.2f} ({ratio:.2f}x; target ≤{target}x: {verdict})"


def rss_cell(row: Row) -> str:
    """The largest process's peak RSS, the whole tree's sampled peak PSS, judged on the larger."""
    if row.cold_rss is None:
        return "-"
    figures = f"{row.cold_rss:.0f}; with workers {row.cold_tree:.0f}"
    limit = next((mb for posts, mb in RSS_TARGETS_MB if row.posts <= posts), None)
    if limit is None:
        return figures
    verdict = "ok" if max(row.cold_rss, row.cold_tree) < limit else "MISS"
    return f"{figures} (target <{limit}: {verdict})"


def plus_one_files_cell(row: Row) -> str:
    if row.plus_one_files is None:
        return "-"
    verdicts = []
    if row.plus_one_strays:
        verdicts.append(f"{len(row.plus_one_strays)} not its feeds")
    if row.plus_one_missed:
        verdicts.append(f"{len(row.plus_one_missed)} of its feeds unchanged")
    return f"{row.plus_one_files} ({'; '.join(verdicts) or 'only its feeds'})"


def hugo_cell(row: Row) -> str:
    """Hugo's cold build beside syndicate's, timed alternately; at 1,000 posts syndicate must not be slower."""
    if row.hugo_cold is None:
        return "-"
    cell = f"{row.hugo_cold:.2f} ({row.hugo_rss:.0f}); {row.cold_beside_hugo:.2f}"
    if row.posts <= 1000:
        cell += f" (target ≤ Hugo: {'ok' if row.cold_beside_hugo <= row.hugo_cold else 'MISS'})"
    return cell


def table_row(row: Row) -> tuple[str, ...]:
    if row.failure and row.cold is None:
        return (f"{row.posts:,}", f"{row.floor:.2f}", *[row.failure] * 5, row.digest, "-", "-")
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
        hugo_cell(row),
        "-" if row.hugo_plus_one is None else f"{row.hugo_plus_one:.2f}",
    )


def markdown_table(rows: list[Row]) -> str:
    lines = [HEADER, ("---",) * len(HEADER), *map(table_row, rows)]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def load_note(before: float) -> str:
    """The machine's load around the run: above one per core, others competed for the cores."""
    after = os.getloadavg()[0]
    note = f"1-minute load average {before:.1f} at the start, {after:.1f} at the end"
    if max(before, after) > (os.cpu_count() or 1):
        note += ": other processes were competing for the cores, so the times are inflated"
    return note + "."


def notes(rows: list[Row], args: argparse.Namespace, code: str, load_before: float) -> str:
    rss_tool = f"{TIME_V} -v" if os.access(TIME_V, os.X_OK) else "RUSAGE_CHILDREN of a fresh helper"
    lines = [
        f"Median of {args.repeat} runs each (the floor: of {args.repeat} more runs, one before every timed build); "
        f"corpus seed {args.seed}; {os.cpu_count()} cores; "
        f"Python {sys.version.split()[0]}; syndicate source digest {code}.",
        "OS caches cannot be dropped here: every post was read once, untimed, before the floor was timed.",
        load_note(load_before),
        f"Peak RSS: the largest single process, from {rss_tool}; 'with workers': the peak summed PSS "
        f"of the process and its descendants, sampled every {SAMPLE_SECONDS} s from /proc.",
    ]
    for row in rows:
        if row.failure:
            lines.append(f"{row.posts:,} posts: {row.failure} (details on stderr)")
        if row.plus_one_strays:
            strays = ", ".join(row.plus_one_strays[:10])
            lines.append(f"{row.posts:,} posts, changed on +1 but not its feeds: {strays}")
        if row.plus_one_missed:
            missed = ", ".join(row.plus_one_missed[:10])
            lines.append(f"{row.posts:,} posts, its feeds left unchanged on +1: {missed}")
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
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 10000], help="corpus sizes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timed measurement")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--keep", metavar="DIR", help="keep corpora and outputs in DIR/<posts>/")
    parser.add_argument("--digest", action="store_true", help="also time one weekly digest")
    parser.add_argument("--hugo", action="store_true",
                        help="also time Hugo on the same site (benchmarks/hugo.py; needs `hugo` on PATH)")
    args = parser.parse_args(argv)
    if args.hugo and shutil.which("hugo") is None:
        parser.error("--hugo: no `hugo` on PATH (Debian: apt-get install hugo)")
    rows, load_before = [], os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="syndicate-code-") as frozen:
        code = freeze_code(Path(frozen))
        for posts in args.posts:
            with workspace(args.keep, posts) as work:
                rows.append(bench_size(posts, work, args))
    print(notes(rows, args, code, load_before))
    print()
    print(markdown_table(rows))
    return 0 if all(row.failure is None for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
