"""Compare two git revisions on one benchmark script, in alternating paired runs.

    .venv/bin/python bench/paired.py --old REV --new REV [--rounds 5] -- bench/ussd.py [ARGS]

Why paired, alternating runs: the machines this project is measured on are noisy (the same run
can take twice as long one minute as the next), so two figures taken minutes apart, or the best of
a few runs of each, say more about the machine than about the change. Here each round runs the
old and the new revision back to back, swapping which goes first every round (old, new, new, old,
...: ABBA, so that a steady drift of the machine does not favour either side), and the new/old
ratio is taken inside each round, where both ran under nearly the same conditions. What is printed
for every figure is the median of each side, the ratio of the medians, and the lowest and highest
of the per-round ratios: when that spread straddles 1.0 the change is within the noise.

Each revision is checked out in a detached git worktree of its own in a temporary directory
(removed at exit, also after a failure or Ctrl-C), and the bench runs there with that worktree as
its working directory and first on PYTHONPATH, with this same interpreter. The venv's editable
install would otherwise import the packages from the tree it was installed from; before the runs,
each worktree is checked to import its own packages. Each revision runs its own copy of the bench
script, so a bench changed between the two revisions compares the changed bench too.

Figures are read by `bench_figures.py` (beside this script); each run's raw output and every
figure read from it are kept in the log directory printed at the start, to check the reading
against.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import NoReturn, TextIO

from bench_figures import DEFAULT_SKIP, read_figures  # beside this script, in bench/

STOP_GRACE = 30.0  # seconds a bench gets to clean up (drop its database) before it is killed


@dataclass
class Side:
    name: str  # "old" or "new"
    rev: str  # as given
    sha: str
    tree: Path
    runs: list[dict[tuple[str, str], float]] = field(default_factory=list)


# --- git worktrees and runs --------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


@contextmanager
def worktrees(repo: Path, revs: dict[str, str]) -> Iterator[dict[str, Side]]:
    """A detached worktree per side, removed on the way out however it is left."""
    base = Path(tempfile.mkdtemp(prefix="mgov-paired-"))
    sides: dict[str, Side] = {}
    try:
        for name, rev in revs.items():
            try:
                sha = git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
            except RuntimeError:
                raise SystemExit(f"error: {rev} names no commit in {repo}") from None
            tree = base / name
            git(repo, "worktree", "add", "--detach", str(tree), sha)
            sides[name] = Side(name, rev, sha, tree)
        yield sides
    finally:
        for side in sides.values():
            try:
                git(repo, "worktree", "remove", "--force", str(side.tree))
            except RuntimeError as error:
                print(f"warning: {error}; remove it with `git worktree prune`", file=sys.stderr)
        subprocess.run(["rm", "-rf", str(base)], check=False)


def environment(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(tree), env.get("PYTHONPATH")) if p)
    return env


# Run with -P (no script or cwd directory on sys.path), so that only PYTHONPATH can put the
# worktree first, as it must for a bench whose own directory is bench/.
IMPORT_CHECK = r"""
import importlib.metadata, importlib.util, json, pathlib, sys, urllib.parse
names = set(json.loads(sys.argv[1]))
for dist in importlib.metadata.distributions():
    info = json.loads(dist.read_text("direct_url.json") or "{}")
    if info.get("dir_info", {}).get("editable"):
        source = pathlib.Path(urllib.parse.unquote(urllib.parse.urlparse(info["url"]).path))
        names |= {p.parent.name for p in source.glob("*/__init__.py")}
found = {}
for name in sorted(names):
    spec = importlib.util.find_spec(name)
    places = list(spec.submodule_search_locations or []) if spec else []
    found[name] = places[0] if places else (spec.origin if spec else None)
print(json.dumps(found))
"""


def check_imports(side: Side) -> None:
    """Fail unless each package of the worktree is imported from the worktree itself."""
    own = sorted(p.parent.name for p in side.tree.glob("*/__init__.py"))
    result = subprocess.run(
        [sys.executable, "-P", "-c", IMPORT_CHECK, json.dumps(own)],
        cwd=side.tree,
        env=environment(side.tree),
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, str | None] = json.loads(result.stdout)
    wrong = []
    for name, place in found.items():
        inside = place is not None and Path(place).resolve().is_relative_to(side.tree.resolve())
        if name in own:
            print(f"  {side.name}: import {name} -> {place}")
            if not inside:
                wrong.append(f"{name} -> {place}")
        elif place is not None:
            print(
                f"  {side.name}: warning: {side.rev} has no package {name}, but `import {name}`"
                f" still loads {place} (the venv's editable install)"
            )
    if wrong:
        raise SystemExit(
            f"error: with PYTHONPATH={side.tree}, packages of {side.name} ({side.rev}) import"
            f" from elsewhere: {', '.join(wrong)}"
        )


def stop(process: subprocess.Popen[str]) -> None:
    """Give an interrupted bench time to drop its database, then make sure it is gone."""
    if process.poll() is not None:
        return
    try:
        process.send_signal(signal.SIGINT)
        process.wait(STOP_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_bench(side: Side, command: list[str], log: Path, stream: bool) -> tuple[list[str], float]:
    """One run of the bench in the side's worktree: its stdout lines and wall seconds."""
    lines: list[str] = []
    started = time.perf_counter()
    with (
        log.with_suffix(".out").open("w", encoding="utf-8") as out,
        log.with_suffix(".err").open("w", encoding="utf-8") as err,
    ):
        process = subprocess.Popen(
            [sys.executable, *command],
            cwd=side.tree,
            env=environment(side.tree),
            stdout=subprocess.PIPE,
            stderr=err,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        try:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line)
                out.write(line)
                out.flush()
                if stream:
                    print(f"    | {line}", end="", flush=True)
            code = process.wait()
        finally:
            stop(process)
    if code != 0:
        raise SystemExit(
            f"error: {side.name} ({side.rev}) exited with {code}; see {log.with_suffix('.err')}"
        )
    return lines, time.perf_counter() - started


# --- the report --------------------------------------------------------------------------------


def number(value: float) -> str:
    """About four significant digits, never in exponent form."""
    if not math.isfinite(value) or (value.is_integer() and abs(value) < 1e15):
        return f"{value:.0f}" if math.isfinite(value) else f"{value}"
    digits = math.floor(math.log10(abs(value))) + 1
    return f"{value:.{min(4, max(0, 4 - digits))}f}"


def report(sides: dict[str, Side], out: TextIO) -> None:
    old, new = sides["old"], sides["new"]
    keys: list[tuple[str, str]] = []
    for run in [*old.runs, *new.runs]:
        keys.extend(key for key in run if key not in keys)
    constant = [
        key
        for key in keys
        if len({run.get(key) for run in [*old.runs, *new.runs]}) == 1 and key in old.runs[0]
    ]
    shown = [key for key in keys if key not in constant]
    width = max([len(label) + (2 if group else 0) for group, label in shown] + [6]) + 2
    print(
        f"\n{'figure':<{width}}{'old':>10}{'new':>10}{'new/old':>9}   per-round new/old",
        file=out,
    )
    group = None
    for key in shown:
        if key[0] != group:
            group = key[0]
            if group:
                print(f"{group}:", file=out)
        olds = [run[key] for run in old.runs if key in run]
        news = [run[key] for run in new.runs if key in run]
        pairs = [
            n[key] / o[key]
            for o, n in zip(old.runs, new.runs, strict=True)
            if key in o and key in n and o[key] != 0
        ]
        old_median = statistics.median(olds) if olds else math.nan
        new_median = statistics.median(news) if news else math.nan
        ratio = f"{new_median / old_median:.3f}" if old_median else "n/a"
        spread = f"{min(pairs):.3f}–{max(pairs):.3f}" if pairs else "n/a"
        counts = "" if len(olds) == len(news) == len(old.runs) else f"  ({len(olds)}/{len(news)})"
        indent = "  " if key[0] else ""
        print(
            f"{indent + key[1]:<{width}}{number(old_median):>10}{number(new_median):>10}"
            f"{ratio:>9}   {spread}{counts}",
            file=out,
        )
    if constant:
        same = "; ".join(
            f"{(group + ': ') if group else ''}{label} {number(old.runs[0][(group, label)])}"
            for group, label in constant
        )
        print(f"\nthe same in every run of both: {same}", file=out)


# --- the command -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        usage="%(prog)s --old REV --new REV [--rounds N] [options] -- BENCH.py [BENCH ARGS]",
    )
    parser.add_argument("--old", required=True, help="the baseline revision")
    parser.add_argument("--new", required=True, help="the revision to compare with it")
    parser.add_argument("--rounds", type=int, default=5, help="pairs of runs (default 5)")
    parser.add_argument("--log-dir", type=Path, default=None, help="default: a new one in /tmp")
    parser.add_argument(
        "--skip",
        default=DEFAULT_SKIP,
        help=f"regex of output lines not to read (default {DEFAULT_SKIP!r}; '' reads all)",
    )
    parser.add_argument("--stream", action="store_true", help="echo each run's output live")
    parser.add_argument("bench", nargs=argparse.REMAINDER, help="after --: the bench and its args")
    args = parser.parse_args(argv)
    if args.bench and args.bench[0] == "--":
        args.bench = args.bench[1:]
    if not args.bench:
        parser.error("name the bench after --, e.g. -- bench/ussd.py --sessions 16")
    if Path(args.bench[0]).is_absolute():
        parser.error("give the bench as a path inside the repository (bench/ussd.py)")
    if args.rounds < 1:
        parser.error("--rounds must be positive")
    return args


def on_sigterm(signum: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, on_sigterm)
    skip = re.compile(args.skip) if args.skip else None
    repo = Path(git(Path(__file__).resolve().parent, "rev-parse", "--show-toplevel"))
    logs = args.log_dir or Path(tempfile.mkdtemp(prefix="mgov-paired-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    print(f"bench: {shlex.join(args.bench)}  ({args.rounds} rounds, ABBA order)")
    print(f"logs: {logs}")
    with worktrees(repo, {"old": args.old, "new": args.new}) as sides:
        for side in sides.values():
            print(f"{side.name}: {side.rev} = {side.sha[:12]}, worktree {side.tree}")
            if not (side.tree / args.bench[0]).is_file():
                raise SystemExit(f"error: {side.rev} has no {args.bench[0]}")
        for side in sides.values():
            check_imports(side)
            # Byte-compiled up front, or the first run in each fresh worktree compiles it all.
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", "-x", r"/\.", str(side.tree)],
                env=environment(side.tree),
                capture_output=True,
                check=False,
            )
        with (logs / "figures.tsv").open("w", encoding="utf-8") as table:
            table.write("round\tside\tgroup\tfigure\tvalue (median in the run)\tvalues\n")
            for round_number in range(1, args.rounds + 1):
                order = ["old", "new"] if round_number % 2 else ["new", "old"]
                for name in order:
                    side = sides[name]
                    log = logs / f"round{round_number:02d}-{name}"
                    lines, seconds = run_bench(side, args.bench, log, args.stream)
                    figures = read_figures(lines, skip)
                    side.runs.append({k: statistics.median(v) for k, v in figures.items()})
                    for (group, label), values in figures.items():
                        table.write(
                            f"{round_number}\t{name}\t{group}\t{label}\t"
                            f"{statistics.median(values):g}\t{' '.join(f'{v:g}' for v in values)}\n"
                        )
                    table.flush()
                    print(
                        f"round {round_number}/{args.rounds} {name}: {seconds:.1f} s,"
                        f" {len(figures)} figures, {log}.out",
                        flush=True,
                    )
                    if not figures:
                        raise SystemExit(f"error: no figures read from {log}.out")
        print(f"\nold {sides['old'].rev} ({sides['old'].sha[:12]})", end="")
        print(f" vs new {sides['new'].rev} ({sides['new'].sha[:12]}), {args.rounds} rounds")
        with (logs / "summary.txt").open("w", encoding="utf-8") as summary:
            report(sides, summary)
        report(sides, sys.stdout)
    print(f"\nper-run figures: {logs / 'figures.tsv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
