"""On a real project nobody here wrote (a PyPI sdist), Devora counts what the tools count."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from devora.tools import Level
from devora.tools.checks import (
    BanditCheck,
    CheckStatus,
    MypyCheck,
    RuffCheck,
    RuffFormatCheck,
    detect_project,
)

from .conftest import require

SDIST = "six==1.16.0"


@pytest.fixture(scope="module")
def real_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The source distribution of six 1.16.0, downloaded from PyPI and unpacked."""
    target = tmp_path_factory.mktemp("sdist")
    argv = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    download = _completed([*argv, SDIST, "-d", str(target), "-q"], target)
    require(
        download.returncode == 0, f"cannot download {SDIST} from PyPI: {download.stderr[-500:]}"
    )
    (archive,) = target.glob("six-*.tar.gz")
    with tarfile.open(archive) as sdist:
        sdist.extractall(target, filter="data")
    return target / "six-1.16.0"


def _completed(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def _run(argv: list[str], cwd: Path) -> str:
    done = _completed(argv, cwd)
    return done.stdout + done.stderr


def _tool(tool_path: str, name: str) -> str:
    return str(Path(tool_path.split(":")[0]) / name)


@pytest.mark.slow
async def test_ruff_counts_equal_ruffs_own(real_project: Path, tool_path: str) -> None:
    result = await RuffCheck().run(detect_project(real_project, search_path=tool_path))
    ruff = _tool(tool_path, "ruff")
    as_json = _completed(
        [ruff, "check", "--output-format", "json", "--no-cache", "."], real_project
    )
    own = json.loads(as_json.stdout)
    text = _run([ruff, "check", "--no-cache", "."], real_project)
    summary = re.search(r"Found (\d+) errors?\.", text)
    assert summary is not None
    assert result.status is CheckStatus.FAILED
    assert len(result.findings) == len(own) == int(summary.group(1)) > 50
    assert sum(f.fixable for f in result.findings) == sum(
        1 for item in own if item["fix"] and item["fix"]["applicability"] == "safe"
    )


@pytest.mark.slow
async def test_ruff_format_counts_equal_ruffs_own(real_project: Path, tool_path: str) -> None:
    result = await RuffFormatCheck().run(detect_project(real_project, search_path=tool_path))
    text = _run([_tool(tool_path, "ruff"), "format", "--check", "--no-cache", "."], real_project)
    summary = re.search(r"(\d+) files? would be reformatted", text)
    assert summary is not None and len(result.findings) == int(summary.group(1))


@pytest.mark.slow
async def test_mypy_counts_equal_mypys_own(real_project: Path, tool_path: str) -> None:
    result = await MypyCheck().run(detect_project(real_project, search_path=tool_path))
    text = _run([_tool(tool_path, "mypy"), "--cache-dir", "/dev/null", "."], real_project)
    summary = re.search(r"Found (\d+) errors? in (\d+) files?", text)
    assert summary is not None
    assert result.count(Level.ERROR) == int(summary.group(1)) > 0
    errors = {f.file for f in result.findings if f.level is Level.ERROR}
    assert len(errors) == int(summary.group(2))


@pytest.mark.slow
async def test_bandit_counts_equal_bandits_own(real_project: Path, tool_path: str) -> None:
    result = await BanditCheck().run(detect_project(real_project, search_path=tool_path))
    excluded = "./.venv,./venv,./node_modules,./.git,./.tox,./.nox,./build,./dist,./tests"
    bandit = [_tool(tool_path, "bandit"), "-f", "json", "-q", "-r", ".", "-x", excluded]
    report = json.loads(_completed(bandit, real_project).stdout)
    totals = report["metrics"]["_totals"]
    assert len(result.findings) == sum(
        totals[f"SEVERITY.{s}"] for s in ("LOW", "MEDIUM", "HIGH", "UNDEFINED")
    )
