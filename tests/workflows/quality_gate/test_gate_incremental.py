"""The incremental gate: a change re-checks what it can affect, and the verdict is a full run's.

On the example project, in process: each check's incremental result is compared with the
result of a full run of the same tree (findings, status, test counts, coverage).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_projects import copy_example, tool_path

import devora
from devora.secrets import redact_value
from devora.tools import Finding
from devora.tools.checks import CheckResult, CheckStatus, detect_project
from devora.workflows.quality_gate import GateConfig, ResultCache
from devora.workflows.quality_gate._baselines import BaselineStore
from devora.workflows.quality_gate._cache import fingerprint_files, tree_digest
from devora.workflows.quality_gate._categories import checks_named
from devora.workflows.quality_gate._incremental import Incremental
from devora.workflows.quality_gate._running import run_checks

CHECKS = ("ruff-check", "ruff-format", "bandit", "pytest")
STOCK = "src/inventory/stock.py"


async def _gate(
    root: Path,
    home: Path,
    run: str,
    *,
    full: bool = False,
    log: list[str] | None = None,
    checks: tuple[str, ...] = CHECKS,
) -> dict[str, CheckResult]:
    profile = detect_project(root, search_path=tool_path())
    files = await fingerprint_files(root)
    incremental = Incremental(
        store=BaselineStore(home / "incremental"),
        files=files,
        run=run,
        full=full,
        mypy_cache=home / "mypy",
    )
    results, _ = await run_checks(
        checks_named(checks),
        profile,
        GateConfig(),
        ResultCache(home / "results"),
        tree_digest(files),
        (log if log is not None else []).append,
        incremental,
    )
    return {result.name: result for result in results}


def _findings(result: CheckResult) -> list[Finding]:
    return sorted(result.findings, key=lambda f: (f.file or "", f.line or 0, f.rule, f.message))


def _judged(result: CheckResult) -> tuple[object, ...]:
    # Kept results are redacted on disk (as the cache always was): compare them redacted.
    metrics = {k: round(v, 6) for k, v in result.metrics.items()}
    return result.status, redact_value([f.model_dump() for f in _findings(result)]), metrics


def _edit(root: Path, old: str, new: str, name: str = STOCK) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "python-project")


async def test_a_one_function_change_gives_a_full_runs_results(
    project: Path, tmp_path: Path
) -> None:
    every = (*CHECKS, "mypy")
    first = await _gate(project, tmp_path / "home", "run-1", checks=every)
    assert all(result.reused is None for result in first.values())
    # Fix the known bug, and leave an unused variable in the same function.
    _edit(project, "return max(items,", "spare = 1\n    return min(items,")
    log: list[str] = []
    incremental = await _gate(project, tmp_path / "home", "run-2", log=log, checks=every)
    full = await _gate(project, tmp_path / "other-home", "run-3", full=True, checks=every)
    for name in every:
        assert _judged(incremental[name]) == _judged(full[name]), name
    assert incremental["ruff-check"].reused == (
        "1 changed file(s) re-checked, 0 finding(s) of unchanged files reused from run run-1"
    )
    assert ("F841", STOCK) in [(f.rule, f.file) for f in incremental["ruff-check"].findings]
    assert incremental["pytest"].status is CheckStatus.PASSED  # the bug is fixed
    assert incremental["pytest"].reused is not None
    assert "from run run-1" in incremental["pytest"].reused
    assert "mypy: full run (it judges the project as a whole, through its incremental cache)" in log
    assert incremental["mypy"].run == "run-2"


async def test_unaffected_passed_tests_are_reused_and_counted(
    project: Path, tmp_path: Path
) -> None:
    (project / "src" / "inventory" / "labels.py").write_text(
        'def label(name: str) -> str:\n    """A label."""\n    return name.upper()\n',
        encoding="utf-8",
    )
    (project / "tests" / "test_labels.py").write_text(
        "from inventory.labels import label\n\n\ndef test_label() -> None:\n"
        '    assert label("pen") == "PEN"\n',
        encoding="utf-8",
    )
    await _gate(project, tmp_path / "home", "run-1")
    _edit(project, "return name.upper()", "return name.title()", "src/inventory/labels.py")
    incremental = await _gate(project, tmp_path / "home", "run-2")
    full = await _gate(project, tmp_path / "other-home", "run-3", full=True)
    # The broken label is caught, the failing test_cheapest re-ran, the rest reused.
    assert _judged(incremental["pytest"]) == _judged(full["pytest"])
    failing = sorted(f.file or "" for f in incremental["pytest"].findings)
    assert failing == ["tests/test_labels.py", "tests/test_stock.py"]
    assert (
        incremental["pytest"].reused == "2 test(s) re-run, 3 passed test(s) reused, from run run-1"
    )
    assert incremental["pytest"].metrics["tests"] == full["pytest"].metrics["tests"] == 5


async def test_new_test_files_always_run(project: Path, tmp_path: Path) -> None:
    await _gate(project, tmp_path / "home", "run-1")
    (project / "tests" / "test_more.py").write_text(
        "def test_more() -> None:\n    assert 1 + 1 == 3\n", encoding="utf-8"
    )
    incremental = await _gate(project, tmp_path / "home", "run-2")
    assert incremental["pytest"].metrics["tests"] == 5
    assert "tests/test_more.py" in {f.file for f in incremental["pytest"].findings}


async def test_a_configuration_change_reruns_everything(project: Path, tmp_path: Path) -> None:
    await _gate(project, tmp_path / "home", "run-1")
    _edit(project, "line-length = 100", "line-length = 99", "pyproject.toml")
    log: list[str] = []
    again = await _gate(project, tmp_path / "home", "run-2", log=log)
    assert all(result.reused is None for result in again.values())
    assert "pytest: every test runs (configuration or dependencies changed: pyproject.toml)" in log
    assert "ruff-check: full run (configuration or dependencies changed: pyproject.toml)" in log


async def test_a_baseline_of_another_devora_version_is_not_used(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _gate(project, tmp_path / "home", "run-1")
    _edit(project, "return max(items,", "return min(items,")
    monkeypatch.setattr(devora, "__version__", devora.__version__ + ".other")
    log: list[str] = []
    again = await _gate(project, tmp_path / "home", "run-2", log=log)
    assert all(result.reused is None for result in again.values())
    assert any("no earlier result with these tools, environment and config" in line for line in log)


async def test_deleted_files_drop_their_findings(project: Path, tmp_path: Path) -> None:
    (project / "src" / "inventory" / "extra.py").write_text("import os\n", encoding="utf-8")
    first = await _gate(project, tmp_path / "home", "run-1")
    assert "src/inventory/extra.py" in {f.file for f in first["ruff-check"].findings}
    (project / "src" / "inventory" / "extra.py").unlink()
    _edit(project, "return max(items,", "return min(items,")
    again = await _gate(project, tmp_path / "home", "run-2")
    assert "src/inventory/extra.py" not in {f.file for f in again["ruff-check"].findings}
    assert again["ruff-check"].reused is not None


async def test_an_unchanged_tree_reuses_whole_results_naming_their_run(
    project: Path, tmp_path: Path
) -> None:
    await _gate(project, tmp_path / "home", "run-1")
    again = await _gate(project, tmp_path / "home", "run-2")
    assert {result.reused for result in again.values()} == {
        "the whole result of run run-1 (same files, tool and config)"
    }


async def test_a_crash_is_run_again_and_the_report_says_why(project: Path, tmp_path: Path) -> None:
    from devora.workflows.quality_gate._running import CRASH_NOT_KEPT

    tools = tmp_path / "tools"
    tools.mkdir()
    ruff = tools / "ruff"
    ruff.write_text(
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "ruff 0.0.1"; exit 0; fi\n'
        'echo "ruff: out of memory" >&2\nexit 2\n',
        encoding="utf-8",
    )
    ruff.chmod(0o755)
    profile = detect_project(project, search_path=f"{tools}:{tool_path()}")
    files = await fingerprint_files(project)
    store = BaselineStore(tmp_path / "home" / "incremental")
    cache = ResultCache(tmp_path / "home" / "results")
    for run in ("run-1", "run-2"):
        incremental = Incremental(store=store, files=files, run=run)
        results, hits = await run_checks(
            checks_named(["ruff-check"]),
            profile,
            GateConfig(),
            cache,
            tree_digest(files),
            [].append,
            incremental,
        )
        assert hits == () and results[0].status is CheckStatus.CRASHED
        assert results[0].notes[-1] == CRASH_NOT_KEPT and results[0].reused is None


async def test_a_function_called_at_import_time_reruns_every_test(
    project: Path, tmp_path: Path
) -> None:
    (project / "src" / "inventory" / "table.py").write_text(
        'def make() -> dict[str, int]:\n    """The table."""\n    return {"pen": 1}\n\n\n'
        "TABLE = make()\n",
        encoding="utf-8",
    )
    (project / "tests" / "test_table.py").write_text(
        "from inventory.table import TABLE\n\n\ndef test_table() -> None:\n"
        '    assert TABLE == {"pen": 1}\n',
        encoding="utf-8",
    )
    await _gate(project, tmp_path / "home", "run-1", checks=("pytest",))
    _edit(project, 'return {"pen": 1}', 'return {"pen": 2}', "src/inventory/table.py")
    log: list[str] = []
    again = await _gate(project, tmp_path / "home", "run-2", log=log, checks=("pytest",))
    assert "tests/test_table.py" in {f.file for f in again["pytest"].findings}
    assert any(
        "a changed function of src/inventory/table.py ran outside any test" in line for line in log
    )


async def test_a_change_inside_one_function_reruns_only_the_tests_that_ran_it(
    project: Path, tmp_path: Path
) -> None:
    (project / "src" / "inventory" / "units.py").write_text(
        "def grams(kilos: float) -> float:\n    return kilos * 1000\n\n\n"
        "def kilos(grams: float) -> float:\n    if grams < 0:\n        return 0.0\n"
        "    return grams / 1000\n",
        encoding="utf-8",
    )
    (project / "tests" / "test_units.py").write_text(
        "from inventory.units import grams, kilos\n\n\ndef test_grams() -> None:\n"
        "    assert grams(2) == 2000\n\n\ndef test_kilos() -> None:\n"
        "    assert kilos(2000) == 2\n",
        encoding="utf-8",
    )
    await _gate(project, tmp_path / "home", "run-1", checks=("pytest",))
    # grams() grows by two lines: kilos() moves down, its test's coverage is renumbered.
    _edit(
        project,
        "    return kilos * 1000\n",
        "    factor = 1000\n    # grams per kilo\n    return kilos * factor\n",
        "src/inventory/units.py",
    )
    log: list[str] = []
    again = await _gate(project, tmp_path / "home", "run-2", log=log, checks=("pytest",))
    full = await _gate(project, tmp_path / "other-home", "run-3", full=True, checks=("pytest",))
    assert _judged(again["pytest"]) == _judged(full["pytest"])
    # test_grams and the example's failing test (an unsettled test always re-runs).
    assert again["pytest"].reused == "2 test(s) re-run, 4 passed test(s) reused, from run run-1"
    # A third change, in kilos(): the renumbered lines still say which test ran it.
    _edit(project, "return grams / 1000", "return grams / 1000.0", "src/inventory/units.py")
    third = await _gate(project, tmp_path / "home", "run-4", checks=("pytest",))
    full = await _gate(project, tmp_path / "other-home", "run-5", full=True, checks=("pytest",))
    assert _judged(third["pytest"]) == _judged(full["pytest"])
    assert third["pytest"].reused == "2 test(s) re-run, 4 passed test(s) reused, from run run-2"
