"""Devora's k-ary bisection against plain `git bisect run`, on the same history, in one run.

    python benchmarks/bisection.py                 # 1,000 commits, a 0.5 s test, 2 workers
    python benchmarks/bisection.py --json
    python benchmarks/bisection.py --commits 400 --test-seconds 0.2 --jobs 3

The history (built with git fast-import) has one commit that breaks `add`; the test is a
Python command that keeps a core busy for --test-seconds, then checks `add`. Both searches
start from the same good and bad commits: `git bisect start BAD GOOD; git bisect run` in a
clone, and `bisect_history(..., jobs=N)` (its worktrees on the original). Figures: wall
time and number of test runs of each, and their ratio. Target (issue 11): <= 0.7 x.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the history builder of the tests

from devora.tools.bisect import bisect_history
from devora.tools.testrun import Reproducer, Verdict, run_reproducer
from tests.tools.bisect.history import build_history, git

TARGET = 0.7
SLOW_CHECK = """\
import os, pathlib, sys, time
with open(os.environ["BENCH_RUNS"], "a") as runs:
    runs.write("x")
if pathlib.Path("BROKEN").exists():
    sys.exit(125)
end = time.monotonic() + float(os.environ["BENCH_SECONDS"])
while time.monotonic() < end:
    pass
sys.path.insert(0, "src")
from calc import add
sys.exit(0 if add(2, 2) == 4 else 1)
"""


def _runs(counter: Path) -> int:
    return len(counter.read_text()) if counter.exists() else 0


def measure_git_bisect(clone: Path, good: str, bad: str, env: dict[str, str]) -> float:
    started = time.monotonic()
    git(clone, "bisect", "start", bad, good)
    done = subprocess.run(
        ["git", "bisect", "run", sys.executable, "slow_check.py"],
        cwd=clone, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    if "is the first bad commit" not in done.stdout:
        raise SystemExit(f"git bisect did not finish:\n{done.stdout[-2000:]}")
    git(clone, "bisect", "reset")
    return elapsed


def measure_devora(repo: Path, good: str, jobs: int, root: Path) -> tuple[float, str | None]:
    reproducer = Reproducer(argv=(sys.executable, "slow_check.py"))

    async def probe(path: Path) -> Verdict:
        return (await run_reproducer(reproducer, path, None)).verdict

    started = time.monotonic()
    report = asyncio.run(bisect_history(repo, probe, good=good, jobs=jobs, worktrees_root=root))
    return time.monotonic() - started, report.culprit.subject if report.culprit else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--bad-at", type=int, default=0, help="default: 61%% of the history")
    parser.add_argument("--test-seconds", type=float, default=0.5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    bad_at = args.bad_at or int(args.commits * 0.61)
    with tempfile.TemporaryDirectory(prefix="devora-bench-bisect-") as tmp:
        where = Path(tmp)
        repo = build_history(
            where / "repo", args.commits, bad_at=bad_at, extra={1: {"slow_check.py": SLOW_CHECK}}
        )
        git(where, "clone", "-q", str(repo), str(where / "clone"))
        commits = git(repo, "rev-list", "--reverse", "main").split()
        good, bad = commits[0], commits[-1]
        counter = where / "runs.txt"
        env = {**os.environ, "BENCH_RUNS": str(counter), "BENCH_SECONDS": str(args.test_seconds)}
        os.environ.update({k: env[k] for k in ("BENCH_RUNS", "BENCH_SECONDS")})
        git_wall = measure_git_bisect(where / "clone", good, bad, env)
        git_runs = _runs(counter)
        counter.unlink()
        devora_wall, culprit = measure_devora(repo, good, args.jobs, where)
        devora_runs = _runs(counter)
    if culprit != f"commit {bad_at}":
        raise SystemExit(f"Devora named {culprit!r}, not commit {bad_at}")
    figures = {
        "commits": args.commits,
        "test_seconds": args.test_seconds,
        "jobs": args.jobs,
        "cpus": os.cpu_count(),
        "git_bisect_wall_s": round(git_wall, 2),
        "git_bisect_test_runs": git_runs,
        "devora_wall_s": round(devora_wall, 2),
        "devora_test_runs": devora_runs,
        "ratio": round(devora_wall / git_wall, 3),
        "target": TARGET,
        "target_met": devora_wall <= TARGET * git_wall,
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(
        f"history: {args.commits} commits, first bad = commit {bad_at}, test {args.test_seconds} s"
    )
    print(f"git bisect run : {git_wall:6.2f} s wall, {git_runs} test runs")
    print(f"devora (k={args.jobs})   : {devora_wall:6.2f} s wall, {devora_runs} test runs "
          "(the check of the good commit included)")  # fmt: skip
    verdict = "met" if figures["target_met"] else "NOT met"
    print(f"ratio          : {figures['ratio']:.3f} (target <= {TARGET}: {verdict})")


if __name__ == "__main__":
    main()
