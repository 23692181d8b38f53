"""The performance-audit and scaling workflows pass `mypy --strict` (a test, so CI enforces it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
@pytest.mark.parametrize("package", ["performance", "scaling"])
def test_mypy_strict(package: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", f"src/devora/workflows/{package}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
