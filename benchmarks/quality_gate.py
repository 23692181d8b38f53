"""The quality gate's wall time against the same tools run one after another, and pre-commit.

    python benchmarks/quality_gate.py                     # a table: the example and six==1.16.0
    python benchmarks/quality_gate.py --json              # one JSON object
    python benchmarks/quality_gate.py --sdist click==8.1.7 --repeat 5

In one run, on a copy of the bundled example (examples/python-project) and of a real PyPI
sdist the benchmark downloads (git init'd), with the tests run in the project's own
environment (the one the gate resolves or creates; the sequential and pre-commit
contenders use its interpreter for coverage and pytest, as the gate does):

sequential   the same tools as plain commands, one after another (ruff check, ruff format
             --check, mypy, coverage run -m pytest, coverage json, bandit, and pip-audit on
             what the gate audits: requirements.txt, the dependencies pyproject.toml declares,
             or for a setup.py-only project what is installed in its environment): what a
             developer runs by hand
full         `devora run quality-gate COPY --no-cache`: every check, nothing reused
pre-commit   `pre-commit run --all-files` with local `language: system` hooks running the
             same commands (no network); not measured when pre-commit cannot be found or
             installed into a scratch virtualenv
cached       `devora run quality-gate COPY` again on the unchanged tree
one-function a no-op statement added to one function of the project's largest module,
             then: the incremental gate (`devora run quality-gate COPY`), the full gate and
             the sequential commands on that tree; two functions, picked from one coverage
             run the benchmark makes (a coverage context per test function):
             typical     the function executed by the fewest tests, at least one, and not
                         at import (the target is quoted against this one)
             every test  the module's first function (in six it runs at import, so it may
                         be in every test's result: every test re-runs, whatever the
                         selection)

Each figure is the median of --repeat runs (3), the contenders taking turns, after one
warm-up run of each (imports, mypy's cache, the OS file cache); beside each wall time, the
CPU seconds (user + system, the processes it waited for included), which a busy machine
changes less. The load average is recorded before and after. Python writes bytecode as it
does on a developer's machine (PYTHONDONTWRITEBYTECODE is not passed on: with it, every
run compiled Devora's modules again). Targets (issue 15): full
<= 0.9 x sequential and faster than pre-commit on the real project, <= 1.0 x on the
example; cached < 0.5 s; a one-function change <= 0.3 x the full sequential time.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from devora.tools.checks import detect_project, mypy_targets
from devora.tools.checks._installed import normalized, project_name
from devora.tools.impact import lines_by_context
from devora.tools.pyenv import resolve_environment

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "python-project"
SDIST = "six==1.16.0"
TARGETS = {
    "full_vs_sequential_real": 0.9,
    "full_vs_sequential_example": 1.0,
    "cached_s": 0.5,
    "one_function_vs_full_sequential": 0.3,
}
_IGNORED = shutil.ignore_patterns(".venv", "node_modules", "__pycache__", ".*_cache", ".devora")


def tool_env(home: Path, extra_path: Path | None = None) -> dict[str, str]:
    """This venv's bin first on the PATH, a Devora home of its own, git config isolated."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DEVORA_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    paths = [str(Path(sys.executable).parent), *([str(extra_path)] if extra_path else [])]
    env["PATH"] = os.pathsep.join([*paths, env.get("PATH", "")])
    env["DEVORA_HOME"] = str(home)
    env["PRE_COMMIT_HOME"] = str(home / "pre-commit")
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    return env


class Timing:
    """Wall and CPU seconds (user + system of the commands run) over a span."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = _children_cpu()

    def stop(self) -> tuple[float, float]:
        """(wall, cpu) seconds since the span started."""
        return time.perf_counter() - self.wall, _children_cpu() - self.cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[tuple[float, float], int]:
    """(wall, cpu) seconds and exit code of a command."""
    timing = Timing()
    completed = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=1800)
    return timing.stop(), completed.returncode


def devora(project: Path, env: dict[str, str], *extra: str) -> tuple[float, float]:
    """`devora run quality-gate project` in a subprocess; it must end with a verdict."""
    argv = [sys.executable, "-m", "devora", "run", "quality-gate", str(project), *extra]
    seconds, code = timed(argv, project.parent, env)
    if code not in (0, 1):
        raise SystemExit(f"devora run quality-gate exited with {code} on {project}")
    return seconds


def project_python(project: Path, home: Path) -> Path:
    """The interpreter of the project's environment, as the gate resolves it (same cache)."""
    profile = detect_project(project)
    environment = asyncio.run(
        resolve_environment(
            project, profile.pyproject, cache_dir=home / "cache" / "environments", log=print
        )
    )
    if not environment.usable or environment.python is None:
        raise SystemExit(f"no usable environment for {project}: {environment.problem}")
    return environment.python


def plain_commands(
    project: Path, python: Path, scratch: Path, env: dict[str, str]
) -> list[tuple[str, str]]:
    """The gate's Python tools as the commands a developer would type."""
    profile = detect_project(project)
    tools = Path(sys.executable).parent
    coverage = f"{python} -m coverage"
    data = f"--data-file={scratch / '.coverage'}"
    hooks = [
        ("ruff-check", f"{tools / 'ruff'} check --output-format json --no-cache ."),
        ("ruff-format", f"{tools / 'ruff'} format --check --no-cache ."),
        (
            "mypy",
            f"{tools / 'mypy'} -O json --python-executable {python} "
            + " ".join(mypy_targets(profile)),
        ),
        ("pytest", f"{coverage} run {data} -m pytest -p no:cacheprovider -q"),
        # The gate reports the coverage percent: reading it is part of the same work.
        ("coverage", f"{coverage} json {data} -o {scratch / 'coverage.json'}"),
        ("bandit", f"{tools / 'bandit'} -f json -q -r " + " ".join(_bandit_targets(project))),
    ]
    audited = pip_audit_target(project, profile.pyproject, python, scratch, env)
    if audited is not None:
        audit = f"{tools / 'pip-audit'} -f json --progress-spinner off {audited}"
        hooks.append(("pip-audit", audit))
    return hooks


def pip_audit_target(
    project: Path, pyproject: dict[str, Any], python: Path, scratch: Path, env: dict[str, str]
) -> str | None:
    """What the gate's pip-audit audits, as arguments (None: the gate runs no pip-audit)."""
    if (project / "requirements.txt").is_file():
        return "-r requirements.txt"
    declared = pyproject.get("project", {})
    if (project / "pyproject.toml").is_file() and "project" in pyproject:
        return "." if declared.get("dependencies") else None
    if not any((project / name).is_file() for name in ("setup.py", "setup.cfg")):
        return None
    # setup.py/setup.cfg only: the gate audits what is installed in the project's
    # environment, less the project itself.
    script = (
        "import json; from importlib import metadata; "
        "print(json.dumps({d.metadata['Name']: d.version for d in metadata.distributions()}))"
    )
    listed = subprocess.run(
        [str(python), "-I", "-c", script], env=env, capture_output=True, text=True, check=True
    )
    # The project's name as the gate reads it (pyproject, setup.cfg, or setup.py's literal).
    own = project_name(project, pyproject)
    name = normalized(own) if own else None
    pins = sorted(
        f"{dist}=={version}"
        for dist, version in json.loads(listed.stdout).items()
        if normalized(dist) != name
    )
    target = scratch / "environment.txt"
    target.write_text("".join(f"{pin}\n" for pin in pins), encoding="utf-8")
    return f"-r {target} --no-deps --disable-pip"


def sequential(
    project: Path, env: dict[str, str], commands: list[tuple[str, str]]
) -> tuple[float, float]:
    """The plain commands, one after another."""
    timing = Timing()
    for _, command in commands:
        subprocess.run(command.split(), cwd=project, env=env, capture_output=True, timeout=1800)
    return timing.stop()


def pre_commit_config(commands: list[tuple[str, str]]) -> str:
    """Local system hooks running the plain commands."""
    lines = ["repos:", "  - repo: local", "    hooks:"]
    for hook_id, entry in commands:
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


def find_pre_commit(scratch: Path) -> tuple[str | None, str | None]:
    """pre-commit on the PATH, or installed into a scratch virtualenv; else why not."""
    found = shutil.which("pre-commit")
    if found:
        return found, None
    venv = scratch / "pre-commit-venv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "pre-commit"],
            check=True, capture_output=True, timeout=600,
        )  # fmt: skip
    except (subprocess.SubprocessError, OSError) as error:
        return None, f"pre-commit is not installed and could not be: {error}"
    return str(venv / "bin" / "pre-commit"), None


def pre_commit(
    executable: str | None,
    project: Path,
    env: dict[str, str],
    commands: list[tuple[str, str]],
    repeat: int,
) -> tuple[float, float] | None:
    """Median wall time of `pre-commit run --all-files` on the project (a git repository)."""
    if executable is None:
        return None
    (project / ".pre-commit-config.yaml").write_text(pre_commit_config(commands), "utf-8")
    subprocess.run(["git", "add", "-A"], cwd=project, env=env, check=True, capture_output=True)
    argv = [executable, "run", "--all-files"]
    timed(argv, project, env)  # warm-up: pre-commit builds its own store on first use
    seconds = _median([timed(argv, project, env)[0] for _ in range(repeat)])
    (project / ".pre-commit-config.yaml").unlink()
    subprocess.run(["git", "add", "-A"], cwd=project, env=env, check=True, capture_output=True)
    return seconds


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


def largest_module(project: Path) -> Path:
    """The project's largest Python module that is not a test."""
    candidates = [
        path
        for path in project.rglob("*.py")
        if "test" not in path.name and "tests" not in path.relative_to(project).parts
    ]
    if not candidates:
        raise SystemExit(f"no module to change in {project}")
    return max(candidates, key=lambda p: (p.stat().st_size, str(p)))


def functions_of(path: Path) -> list[tuple[str, int, int, str]]:
    """Each multi-line function of a module: name, body lines (first, last) and where to add
    a statement (the first statement after a docstring) with its indent, in the AST's walk
    order (module-level functions first)."""
    found = []
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            first = body[1] if len(body) > 1 and _is_docstring(body[0]) else body[0]
            if first.lineno > node.lineno:  # not a one-line def
                end = node.end_lineno or first.lineno
                found.append((node.name, first.lineno, end, " " * first.col_offset))
    return found


def who_runs_functions(
    project: Path, module: Path, python: Path, scratch: Path, env: dict[str, str]
) -> tuple[dict[str, set[str]], int]:
    """Function name@line -> the tests that executed a line of its body ("" for outside any
    test), and how many tests ran: from one coverage run with a context per test function."""
    data = scratch / "who-runs.coverage"
    rc = scratch / "who-runs.coveragerc"
    rc.write_text(
        f"[run]\ndynamic_context = test_function\nsource = {project}\ndata_file = {data}\n",
        encoding="utf-8",
    )
    argv = [str(python), "-m", "coverage", "run", f"--rcfile={rc}", "-m", "pytest", "-q"]
    subprocess.run([*argv, "-p", "no:cacheprovider"], cwd=project, env=env, capture_output=True)
    name = module.relative_to(project).as_posix()
    lines = lines_by_context(data, project, name)
    runs: dict[str, set[str]] = {}
    for function, first, last, _ in functions_of(module):
        span = set(range(first, last + 1))
        runs[f"{function}@{first}"] = {t for t, run in lines.items() if span & run}
    with closing(sqlite3.connect(data)) as db:
        tests = {context for (context,) in db.execute("SELECT context FROM context") if context}
    return runs, len(tests)


def functions_to_change(
    project: Path, python: Path, scratch: Path, env: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """The two one-function changes, in the project's largest module:

    typical     the function executed by the fewest tests, at least one, and not outside
                any test (not at import): what most edits are
    every_test  the module's first module-level function (what this benchmark changed
                before): in six it runs at import, so it may be in every test's result and
                every test re-runs
    """
    module = largest_module(project)
    functions = functions_of(module)
    if not functions:
        raise SystemExit(f"no function to change in {module}")
    runs, tests = who_runs_functions(project, module, python, scratch, env)

    def case(function: tuple[str, int, int, str], rule: str) -> dict[str, Any]:
        name, line, _, indent = function
        ran = runs[f"{name}@{line}"]
        return {
            "where": (module, line, indent),
            "changed": f"{module.relative_to(project).as_posix()}:{line} ({name})",
            "rule": rule,
            "tests_running_it": len(ran - {""}),
            "tests": tests,
            "runs_at_import": "" in ran,
        }

    typical = [f for f in functions if "" not in runs[f"{f[0]}@{f[1]}"] and runs[f"{f[0]}@{f[1]}"]]
    if not typical:
        raise SystemExit(f"no function of {module} is run by a test and not at import")
    fewest = min(typical, key=lambda f: (len(runs[f"{f[0]}@{f[1]}"]), f[1]))
    return {
        "typical": case(
            fewest,
            "the largest module's function executed by the fewest tests (at least one) "
            "and not at import",
        ),
        "every_test": case(functions[0], "the largest module's first module-level function"),
    }


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)


def change_one_function(where: tuple[Path, int, str], round_number: int) -> None:
    """Add a statement no tool reports (a dummy local) to the function's body."""
    path, line, indent = where
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    statement = f"{indent}_devora_benchmark = {round_number}\n"
    if lines[line - 1].startswith(f"{indent}_devora_benchmark = "):
        lines[line - 1] = statement
    else:
        lines.insert(line - 1, statement)
    path.write_text("".join(lines), encoding="utf-8")


def _median(values: list[tuple[float, float]]) -> tuple[float, float]:
    """The median wall time and the median CPU time."""
    return statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)


def measure(
    source: Path, label: str, scratch: Path, pre: str | None, repeat: int
) -> dict[str, Any]:
    """All figures for one project, on a fresh git copy of it."""
    base = scratch / label
    project = base / "project"
    shutil.copytree(source, project, ignore=_IGNORED)
    home = base / ".devora"
    env = tool_env(home)
    for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "base"]):
        subprocess.run(
            ["git", "-c", "user.name=b", "-c", "user.email=b@b", *argv[1:]],
            cwd=project, env=env, check=True, capture_output=True,
        )  # fmt: skip
    devora(project, env, "--no-cache")  # warm-up; creates the project's environment
    commands = plain_commands(project, project_python(project, home), base, env)
    sequential(project, env, commands)
    runs: dict[str, list[tuple[float, float]]] = {"sequential": [], "full": []}
    for _ in range(repeat):  # interleaved: a busy machine slows every contender alike
        runs["sequential"].append(sequential(project, env, commands))
        runs["full"].append(devora(project, env, "--no-cache"))
    pre_commit_s = pre_commit(pre, project, env, commands, repeat)
    devora(project, env)  # fills the cache and the baselines
    cached = [devora(project, env) for _ in range(repeat)]
    cases = functions_to_change(project, project_python(project, home), base, env)
    med = {name: _median(values) for name, values in runs.items()}
    cached_s = _median(cached)
    figures: dict[str, Any] = {
        "project": label,
        "commands": [name for name, _ in commands],
        "sequential_s": round(med["sequential"][0], 3),
        "full_s": round(med["full"][0], 3),
        "full_vs_sequential": round(med["full"][0] / med["sequential"][0], 3),
        "pre_commit_s": None if pre_commit_s is None else round(pre_commit_s[0], 3),
        "cached_s": round(cached_s[0], 3),
        "cpu_s": {
            "sequential": round(med["sequential"][1], 3),
            "full": round(med["full"][1], 3),
            "pre_commit": None if pre_commit_s is None else round(pre_commit_s[1], 3),
            "cached": round(cached_s[1], 3),
        },
    }
    for number, (key, case) in enumerate(
        (("one_function", cases["typical"]), ("one_function_every_test", cases["every_test"]))
    ):
        # Each round's statement is new (a tree seen before would be a cache hit), also
        # when both cases change the same function.
        figures[key] = one_function(project, env, commands, case, repeat, number * repeat)
    return figures


def one_function(
    project: Path,
    env: dict[str, str],
    commands: list[tuple[str, str]],
    case: dict[str, Any],
    repeat: int,
    first_round: int,
) -> dict[str, Any]:
    """A statement added to one function, then the incremental gate, the full gate and the
    sequential commands on that tree (each round a new statement)."""
    devora(project, env)  # the baseline: the tree before the change
    changed: dict[str, list[tuple[float, float]]] = {
        "incremental": [],
        "full": [],
        "sequential": [],
    }
    for number in range(repeat):
        change_one_function(case["where"], first_round + number)
        changed["incremental"].append(devora(project, env))
        changed["full"].append(devora(project, env, "--no-cache"))
        changed["sequential"].append(sequential(project, env, commands))
    one = {name: _median(values) for name, values in changed.items()}
    return {
        **{name: value for name, value in case.items() if name != "where"},
        "incremental_s": round(one["incremental"][0], 3),
        "full_s": round(one["full"][0], 3),
        "sequential_s": round(one["sequential"][0], 3),
        "incremental_vs_full_sequential": round(one["incremental"][0] / one["sequential"][0], 3),
        "cpu_s": {name: round(value[1], 3) for name, value in one.items()},
    }


def judge(figures: dict[str, Any], real: bool) -> dict[str, bool | None]:
    """Which targets one project's figures meet."""
    limit = TARGETS["full_vs_sequential_real" if real else "full_vs_sequential_example"]
    pre = figures["pre_commit_s"]
    met: dict[str, bool | None] = {
        "full_vs_sequential": figures["full_vs_sequential"] <= limit,
        "cached_s": figures["cached_s"] < TARGETS["cached_s"],
        "one_function": figures["one_function"]["incremental_vs_full_sequential"]
        <= TARGETS["one_function_vs_full_sequential"],
    }
    if real:
        met["faster_than_pre_commit"] = None if pre is None else figures["full_s"] < pre
    return met


def main() -> int:
    """Measure and print the figures (a table, or one JSON object with --json)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--sdist", default=SDIST, help="NAME==VERSION of the real project")
    parser.add_argument("--repeat", type=int, default=3, help="runs per contender (median)")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="devora-bench-") as folder:
        scratch = Path(folder)
        pre, pre_note = find_pre_commit(scratch)
        real_source = download_sdist(args.sdist, scratch / "sdist")
        projects = []
        for source, label, real in ((EXAMPLE, "example", False), (real_source, args.sdist, True)):
            figures = measure(source, label, scratch, pre, args.repeat)
            figures["met"] = judge(figures, real)
            projects.append(figures)
    result: dict[str, Any] = {
        "cores": os.cpu_count(),
        "repeat": args.repeat,
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "targets": TARGETS,
        "projects": projects,
    }
    if pre_note:
        result["pre_commit_note"] = pre_note
    if args.json:
        print(json.dumps(result))
        return 0
    for figures in projects:
        pre_s = figures["pre_commit_s"]
        ratio = f"{figures['full_vs_sequential']:.2f} x"
        rows = [
            ("sequential commands", f"{figures['sequential_s']:7.2f} s"),
            ("devora, full", f"{figures['full_s']:7.2f} s  ({ratio})"),
            ("pre-commit run -a", "not measured" if pre_s is None else f"{pre_s:7.2f} s"),
            ("devora, cached", f"{figures['cached_s']:7.2f} s"),
            ("CPU s seq/full/pre/cached", " / ".join(str(v) for v in figures["cpu_s"].values())),
        ]
        for key, title in (
            ("one_function", "one function changed, typical"),
            (
                "one_function_every_test",
                "one function changed, the first module-level one (worst case)",
            ),
        ):
            one = figures[key]
            at_import = ", runs at import" if one["runs_at_import"] else ""
            incremental = f"{one['incremental_vs_full_sequential']:.2f} x sequential"
            cpu = one["cpu_s"]
            rows += [
                (f"{title}: {one['changed']},", ""),
                (f"  run by {one['tests_running_it']} of {one['tests']} test functions"
                 f"{at_import}", ""),
                ("  devora, incremental",
                 f"{one['incremental_s']:7.2f} s  ({incremental}; CPU {cpu['incremental']} s)"),
                ("  devora, full", f"{one['full_s']:7.2f} s  (CPU {cpu['full']} s)"),
                ("  sequential commands",
                 f"{one['sequential_s']:7.2f} s  (CPU {cpu['sequential']} s)"),
            ]  # fmt: skip
        load = result["load_average"]
        print(
            f"{figures['project']} ({result['cores']} cores, median of {args.repeat}, load "
            f"{load['before'][0]:.1f} -> {load['after'][0]:.1f})"
        )
        for name, value in rows:
            print(f"  {name:<22} {value}".rstrip())
        print(f"  targets met: {figures['met']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
