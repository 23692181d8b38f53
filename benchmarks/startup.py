"""Devora's fixed cost: `devora --help` and a one-step run, against a baseline commit, in one run.

    python benchmarks/startup.py                      # against dbc1015 (before issue 15)
    python benchmarks/startup.py --baseline REF --rounds 21 --json

Each command runs `--rounds` times, the trees interleaved, with this checkout's virtualenv;
the baseline is a `git worktree` of REF whose `src` goes first on PYTHONPATH. Figures are
medians of wall time and of CPU time (user + system of the child, from `wait4`): on a loaded
machine the wall time measures the queue for a core, the CPU time still measures the work.

Targets (issue 15): `devora --help` ≤ 0.12 s; `devora run` of a one-step workflow ≤ 0.3 s
and within 3x `python -c pass` + the store's commit. `current:import-wf` is `python -c
"import wf"`, the workflow file alone: the part of a run that is the user's own imports.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"help_s": 0.12, "run_s": 0.30, "run_vs_floor": 3.0}

ONE_STEP = """
from pydantic import BaseModel

from devora.engine import Step, StepContext, Workflow


class Inputs(BaseModel):
    pass


async def hello(ctx: StepContext[Inputs]) -> str:
    return "hi"


one = Workflow(name="one", inputs=Inputs, steps=[Step("hello", hello, squad="qa")])
"""

# The store's commit on its own: open the database, one insert, one commit (the floor's part).
COMMIT = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=NORMAL")
db.execute("CREATE TABLE IF NOT EXISTS t (x)")
db.execute("BEGIN IMMEDIATE"); db.execute("INSERT INTO t VALUES (1)"); db.execute("COMMIT")
"""

# Both trees' entry points, so neither pays for a console script's lookups.
ENTRY = {
    "current": "from devora.cli import run_command; run_command()",
    "baseline": "import sys; from devora.cli import main; sys.exit(main())",
}


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `argv` (which must succeed)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        assert process.stderr is not None
        raise SystemExit(f"{argv} failed: {process.stderr.read().decode()[-500:]}")
    if process.stderr is not None:
        process.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime


def baseline_tree(ref: str, into: Path) -> Path:
    """A worktree of `ref` (removed by the caller's temporary directory)."""
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(into), ref], check=True
    )
    return into


def measure(rounds: int, ref: str) -> dict[str, object]:
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="devora-startup-") as scratch:
        work = Path(scratch)
        (work / "wf.py").write_text(ONE_STEP)
        base = baseline_tree(ref, work / "baseline")
        try:
            trees = {"current": ROOT / "src", "baseline": base / "src"}
            commands: dict[str, list[str]] = {"pass": [python, "-c", "pass"]}
            commands["commit"] = [python, "-c", COMMIT, str(work / "commit.db")]
            envs: dict[str, dict[str, str]] = {}
            for tree, src in trees.items():
                env = dict(os.environ, PYTHONPATH=str(src), DEVORA_HOME=str(work / f"home-{tree}"))
                env.pop("PYTHONDONTWRITEBYTECODE", None)  # both trees keep their bytecode
                envs[tree] = env
                commands[f"{tree}:help"] = [python, "-c", ENTRY[tree], "--help"]
                commands[f"{tree}:run"] = [python, "-c", ENTRY[tree], "run", "wf.py:one"]
            # The workflow file on its own (pydantic, devora.engine, asyncio): what any
            # program running it pays before Devora does anything of its own.
            commands["current:import-wf"] = [python, "-c", "import wf"]
            samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
            for round_ in range(rounds + 1):  # round 0 warms bytecode, stores and caches
                for name, argv in commands.items():
                    env = envs.get(name.partition(":")[0], dict(os.environ))
                    if name == "current:import-wf":
                        env = dict(env, PYTHONPATH=f"{trees['current']}{os.pathsep}{work}")
                    figures = timed(argv, env, work)
                    if round_:
                        samples[name].append(figures)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False
            )
    medians = {
        name: {
            "wall_s": round(statistics.median(w for w, _ in runs), 4),
            "cpu_s": round(statistics.median(c for _, c in runs), 4),
        }
        for name, runs in samples.items()
    }
    floor = {kind: medians["pass"][kind] + medians["commit"][kind] for kind in ("wall_s", "cpu_s")}
    current_run, current_help = medians["current:run"], medians["current:help"]
    met = {
        "help_s": current_help["wall_s"] <= TARGETS["help_s"],
        "run_s": current_run["wall_s"] <= TARGETS["run_s"],
        "run_vs_floor": current_run["wall_s"] <= TARGETS["run_vs_floor"] * floor["wall_s"],
    }
    return {
        "baseline_ref": ref,
        "rounds": rounds,
        "load_average": os.getloadavg(),
        "medians": medians,
        "floor": floor,
        "run_vs_floor": round(current_run["wall_s"] / floor["wall_s"], 2),
        "run_beyond_workflow_import_s": round(
            current_run["wall_s"] - medians["current:import-wf"]["wall_s"], 4
        ),
        "targets": TARGETS,
        "met": met,
    }


def print_table(result: dict[str, object]) -> None:
    medians = result["medians"]
    assert isinstance(medians, dict)
    load = result["load_average"]
    assert isinstance(load, tuple)
    print(f"load average {load[0]:.2f}; median of {result['rounds']} rounds; CPU = user + sys")
    print(f"{'command':<18}{'wall s':>9}{'cpu s':>9}")
    for name, figures in medians.items():
        print(f"{name:<18}{figures['wall_s']:>9.3f}{figures['cpu_s']:>9.3f}")
    print(f"floor (pass + commit): {result['floor']}")
    print(f"run vs floor: {result['run_vs_floor']}x; targets met: {result['met']}")
    print(f"run beyond importing the workflow file: {result['run_beyond_workflow_import_s']} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="dbc1015", help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args()
    result = measure(args.rounds, args.baseline)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
