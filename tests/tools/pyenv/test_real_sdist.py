"""A real PyPI sdist through the gate: the same results as pytest and ruff run by hand there."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devora.tools.checks import CheckStatus, PytestCheck, detect_project
from devora.tools.pyenv import resolve_environment
from tests.cli.harness import Devora


def _copy(sdist: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(sdist, tmp_path / sdist.name))


def _pytest_by_hand(python: Path | None, root: Path) -> tuple[dict[str, int], int]:
    """pytest's own summary counts (passed, failed, skipped) and exit status, run by hand."""
    assert python is not None
    by_hand = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    counts = {
        word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|skipped)", by_hand.stdout)
    }
    assert counts.get("passed", 0) > 0, by_hand.stdout[-2000:]
    return counts, by_hand.returncode


@pytest.mark.slow
def test_a_real_sdist_gives_the_gate_what_pytest_gives(
    sdist: Path, tmp_path: Path, uv: Path
) -> None:
    root = _copy(sdist, tmp_path)
    before = sorted((p.relative_to(root).as_posix(), p.stat().st_mtime_ns) for p in root.rglob("*"))

    profile = detect_project(root)
    environment = asyncio.run(
        resolve_environment(root, profile.pyproject, cache_dir=tmp_path / "cache", log=print)
    )
    assert environment.usable, (environment.problem, environment.output_tail)
    result = asyncio.run(PytestCheck().run(profile.model_copy(update={"python_env": environment})))

    counts, exit_status = _pytest_by_hand(environment.python, root)
    assert result.metrics["passed"] == counts.get("passed", 0)
    assert result.metrics["failures"] == counts.get("failed", 0)
    assert result.metrics["skipped"] == counts.get("skipped", 0)
    expected = CheckStatus.PASSED if exit_status == 0 else CheckStatus.FAILED
    assert result.status is expected, (result.reason, result.output_tail)
    after = sorted((p.relative_to(root).as_posix(), p.stat().st_mtime_ns) for p in root.rglob("*"))
    assert after == before  # the gate left the project exactly as it found it


@pytest.mark.slow
def test_the_whole_gate_on_a_real_sdist_counts_what_ruff_and_pytest_count(
    sdist: Path, tmp_path: Path, uv: Path
) -> None:
    root = _copy(sdist, tmp_path)
    home = tmp_path / "home" / ".devora"
    home.parent.mkdir()
    bin_dir = Path(sys.executable).parent  # the gate's ruff, mypy, bandit: devora[checks]
    out = tmp_path / "reports"
    gate = Devora(home=home)(
        "run", "quality-gate", str(root), "--report-dir", str(out), "--no-cache",
        timeout=900, PATH=os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")]),
    )  # fmt: skip
    assert gate.returncode in (0, 1), gate.stdout[-3000:] + gate.stderr[-3000:]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    checks = {check["name"]: check for check in report["checks"]}

    # ruff, run by this test on the same tree with ruff's own defaults for this project.
    ruff = subprocess.run(
        [str(bin_dir / "ruff"), "check", "--output-format", "json", "--no-cache", "."],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ruff.returncode in (0, 1), ruff.stderr
    by_ruff = json.loads(ruff.stdout)
    assert checks["ruff-check"]["status"] == ("failed" if by_ruff else "passed")
    assert checks["ruff-check"]["counts"]["total"] == len(by_ruff)
    gate_found = sorted(
        (f["rule"], f["line"]) for f in report["findings"] if f["check"] == "ruff-check"
    )
    assert gate_found == sorted((f["code"], f["location"]["row"]) for f in by_ruff)

    # pytest, run by hand in the environment the gate made (found again in its cache).
    profile = detect_project(root)
    environment = asyncio.run(
        resolve_environment(
            root, profile.pyproject, cache_dir=home / "cache" / "environments", log=print
        )
    )
    assert environment.usable and environment.python is not None, environment.problem
    assert str(environment.python.parent.parent) in (checks["pytest"]["environment"] or "")
    counts, exit_status = _pytest_by_hand(environment.python, root)
    metrics = checks["pytest"]["metrics"]
    assert metrics["passed"] == counts.get("passed", 0)
    assert metrics["failures"] == counts.get("failed", 0)
    assert metrics["skipped"] == counts.get("skipped", 0)
    assert checks["pytest"]["status"] == ("passed" if exit_status == 0 else "failed")
