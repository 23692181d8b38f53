"""A real PyPI sdist through the gate's pytest: the same result as pytest run by hand there."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from devora.tools.checks import CheckStatus, PytestCheck, detect_project
from devora.tools.pyenv import resolve_environment

SDIST = "six==1.16.0"


@pytest.mark.slow
def test_a_real_sdist_gives_the_gate_what_pytest_gives(tmp_path: Path, uv: Path) -> None:
    download = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
         SDIST, "-d", str(tmp_path / "dl")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if download.returncode != 0:
        pytest.fail(f"cannot download {SDIST} from PyPI:\n{download.stderr[-1000:]}")
    (archive,) = (tmp_path / "dl").glob("*.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "src", filter="data")
    (root,) = (tmp_path / "src").iterdir()
    before = sorted((p.relative_to(root).as_posix(), p.stat().st_mtime_ns) for p in root.rglob("*"))

    profile = detect_project(root)
    environment = asyncio.run(
        resolve_environment(root, profile.pyproject, cache_dir=tmp_path / "cache", log=print)
    )
    assert environment.usable, (environment.problem, environment.output_tail)
    result = asyncio.run(PytestCheck().run(profile.model_copy(update={"python_env": environment})))

    by_hand = subprocess.run(
        [str(environment.python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    counts = {
        word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|skipped)", by_hand.stdout)
    }
    assert counts.get("passed", 0) > 0, by_hand.stdout[-2000:]
    assert result.metrics["passed"] == counts.get("passed", 0)
    assert result.metrics["failures"] == counts.get("failed", 0)
    assert result.metrics["skipped"] == counts.get("skipped", 0)
    expected = CheckStatus.PASSED if by_hand.returncode == 0 else CheckStatus.FAILED
    assert result.status is expected, (result.reason, result.output_tail)
    after = sorted((p.relative_to(root).as_posix(), p.stat().st_mtime_ns) for p in root.rglob("*"))
    assert after == before  # the gate left the project exactly as it found it
