"""The quality gate's wall time against the same tools run one after another, and pre-commit.

    python benchmarks/quality_gate.py                         # a table
    python benchmarks/quality_gate.py --json                  # one JSON object
    python benchmarks/quality_gate.py --project PATH          # another Python project
    python benchmarks/quality_gate.py --sdist more-itertools==10.5.0   # a PyPI sdist

On a copy of the project (examples/python-project by default), in one run:

sequential   the same tools as plain commands, one after another (ruff check, ruff format
             --check, mypy, coverage run -m pytest, coverage report, bandit, and pip-audit
             when the project declares dependencies): what a developer runs by hand
adapters     Devora's own check adapters awaited one after another (the same tools plus
             what Devora adds: each tool's --version, coverage json, parsing), no engine
devora       `devora run quality-gate COPY --no-cache`, the whole command in a subprocess
pre-commit   `pre-commit run --all-files` with local `system` hooks running the same plain
             commands; skipped when pre-commit is not installed (pip install pre-commit)
cached       a second `devora run quality-gate COPY` on the unchanged tree

Each figure is the median of --repeat runs (3), the contenders taking turns.

Targets (issue #4): devora <= 0.7 x sequential (2 cores), faster than pre-commit, cached < 1 s.
Every contender runs once to warm up first (imports, mypy's cache, the OS file cache); the
tools of this venv come first on the PATH for all of them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from devora.tools.checks import checks_for, detect_project, mypy_targets

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "python-project"
TARGETS = {"ratio_vs_sequential": 0.7, "cached_rerun_s": 1.0}
_IGNORED = shutil.ignore_patterns(".venv", "node_modules", "__pycache__", ".*_cache", ".devora")


def tool_env(home: Path) -> dict[str, str]:
    """This venv's bin first on the PATH, a Devora home of its own, git config isolated."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEVORA_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["DEVORA_HOME"] = str(home)
    env["PRE_COMMIT_HOME"] = str(home / "pre-commit")
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    return env


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and exit code of a command."""
    started = time.perf_counter()
    completed = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=1800)
    return time.perf_counter() - started, completed.returncode


def adapters(project: Path, env: dict[str, str]) -> float:
    """Every check the gate would run, awaited one after another."""
    profile = detect_project(project, search_path=env["PATH"])

    async def run_all() -> None:
        for check in checks_for(profile):
            await check.run(profile)

    started = time.perf_counter()
    asyncio.run(run_all())
    return time.perf_counter() - started


def devora(project: Path, env: dict[str, str], *extra: str) -> tuple[float, int]:
    """`devora run quality-gate project` in a subprocess."""
    argv = [sys.executable, "-m", "devora", "run", "quality-gate", str(project), *extra]
    return timed(argv, project.parent, env)


def plain_commands(project: Path) -> list[tuple[str, str]]:
    """The gate's Python tools as the commands a developer would type."""
    profile = detect_project(project)
    hooks = [
        ("ruff-check", "ruff check --output-format json --no-cache ."),
        ("ruff-format", "ruff format --check --no-cache ."),
        ("mypy", "mypy -O json " + " ".join(mypy_targets(profile))),
        ("pytest", "coverage run -m pytest -p no:cacheprovider -q"),
        # The gate reports the coverage percent: reading it is part of the same work.
        ("coverage", "coverage report --format=total"),
        ("bandit", "bandit -f json -q -r " + " ".join(_bandit_targets(project))),
    ]
    if profile.pyproject.get("project", {}).get("dependencies"):
        hooks.append(("pip-audit", "pip-audit -f json --progress-spinner off ."))
    return hooks


def sequential(project: Path, env: dict[str, str]) -> float:
    """The plain commands, one after another."""
    started = time.perf_counter()
    for _, command in plain_commands(project):
        subprocess.run(command.split(), cwd=project, env=env, capture_output=True, timeout=1800)
    return time.perf_counter() - started


def pre_commit_config(project: Path) -> str:
    """Local system hooks running the plain commands."""
    lines = ["repos:", "  - repo: local", "    hooks:"]
    for hook_id, entry in plain_commands(project):
        lines += [
            f"      - id: {hook_id}",
            f"        name: {hook_id}",
            f"        entry: {entry}",
            "        language: system",
            "        pass_filenames: false",
            "        always_run: true",
        ]
    return "\n".join(lines) + "\n"


def _bandit_targets(project: Path) -> list[str]:
    return ["src"] if (project / "src").is_dir() else ["."]


def pre_commit(project: Path, env: dict[str, str], repeat: int) -> tuple[float | None, str | None]:
    """Wall time of `pre-commit run --all-files` on a git copy, or why it was not measured."""
    executable = shutil.which("pre-commit", path=env["PATH"])
    if executable is None:
        return None, "pre-commit is not installed (pip install pre-commit)"
    repo = project.parent / "pre-commit-copy"
    shutil.copytree(project, repo, ignore=_IGNORED)
    (repo / ".pre-commit-config.yaml").write_text(pre_commit_config(repo), encoding="utf-8")
    for argv in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(argv, cwd=repo, env=env, check=True, capture_output=True)
    argv = [executable, "run", "--all-files"]
    timed(argv, repo, env)  # warm-up: pre-commit builds its own store on first use
    return statistics.median(timed(argv, repo, env)[0] for _ in range(repeat)), None


def download_sdist(requirement: str, into: Path) -> Path:
    """Download and unpack a source distribution from PyPI (pip download)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
         "--quiet", "-d", str(into), requirement],
        check=True, timeout=300,
    )  # fmt: skip
    archive = next(into.glob("*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(into / "unpacked", filter="data")
    return next((into / "unpacked").iterdir())


def measure(source: Path, repeat: int = 3) -> dict[str, Any]:
    """All figures, on fresh copies of the project."""
    with tempfile.TemporaryDirectory(prefix="devora-bench-") as scratch:
        base = Path(scratch)
        project = base / "project"
        shutil.copytree(source, project, ignore=_IGNORED)
        env = tool_env(base / ".devora")
        devora(project, env, "--no-cache")  # warm-up: imports, mypy's cache, OS caches
        sequential(project, env)
        # Interleaved and repeated: a busy machine slows every contender alike; medians.
        sequential_runs, adapters_runs, devora_runs = [], [], []
        for _ in range(repeat):
            sequential_runs.append(sequential(project, env))
            adapters_runs.append(adapters(project, env))
            seconds, exit_code = devora(project, env, "--no-cache")
            devora_runs.append(seconds)
        sequential_s = statistics.median(sequential_runs)
        adapters_s = statistics.median(adapters_runs)
        devora_s = statistics.median(devora_runs)
        devora(project, env)  # fills the cache
        cached = [devora(project, env)[0] for _ in range(3)]
        pre_commit_s, pre_commit_note = pre_commit(project, env, repeat)
    figures: dict[str, Any] = {
        "project": str(source),
        "cores": os.cpu_count(),
        "sequential_s": round(sequential_s, 3),
        "adapters_sequential_s": round(adapters_s, 3),
        "devora_s": round(devora_s, 3),
        "devora_exit_code": exit_code,
        "ratio_vs_sequential": round(devora_s / sequential_s, 3),
        "pre_commit_s": round(pre_commit_s, 3) if pre_commit_s is not None else None,
        "cached_rerun_s": round(statistics.median(cached), 3),
        "repeat": repeat,
        "targets": TARGETS,
    }
    if pre_commit_note:
        figures["pre_commit_note"] = pre_commit_note
    figures["met"] = {
        "ratio_vs_sequential": figures["ratio_vs_sequential"] <= TARGETS["ratio_vs_sequential"],
        "faster_than_pre_commit": None if pre_commit_s is None else devora_s < pre_commit_s,
        "cached_rerun_s": figures["cached_rerun_s"] < TARGETS["cached_rerun_s"],
    }
    return figures


def main() -> int:
    """Measure and print the figures (a table, or one JSON object with --json)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--project", type=Path, default=EXAMPLE, help="a Python project")
    parser.add_argument("--sdist", help="NAME==VERSION: measure a PyPI source distribution")
    parser.add_argument("--repeat", type=int, default=3, help="runs per contender (median)")
    args = parser.parse_args()
    if args.sdist:
        with tempfile.TemporaryDirectory(prefix="devora-sdist-") as scratch:
            figures = measure(download_sdist(args.sdist, Path(scratch)), args.repeat)
            figures["project"] = args.sdist
    else:
        figures = measure(args.project.resolve(), args.repeat)
    if args.json:
        print(json.dumps(figures))
        return 0
    print(f"project: {figures['project']} ({figures['cores']} cores)")
    print(f"  tools one after another  {figures['sequential_s']:8.2f} s")
    print(f"  adapters one by one      {figures['adapters_sequential_s']:8.2f} s")
    print(
        f"  devora run quality-gate  {figures['devora_s']:8.2f} s"
        f"  ({figures['ratio_vs_sequential']:.2f} x sequential, target <= 0.7)"
    )
    if figures["pre_commit_s"] is None:
        print(f"  pre-commit               not measured: {figures['pre_commit_note']}")
    else:
        print(f"  pre-commit run -a        {figures['pre_commit_s']:8.2f} s")
    print(f"  cached re-run            {figures['cached_rerun_s']:8.2f} s  (target < 1 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
