"""The package passes the repository's lint, format and strict type checks (run as tests so
that CI enforces them)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import require

ROOT = Path(__file__).resolve().parents[3]
PATHS = ["src/devora/tools/release", "tests/tools/release"]


def run_module(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    require(
        importlib.util.find_spec(module) is not None,
        f"{module} is not installed (pip install -e '.[dev]')",
    )
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.mark.parametrize(
    "args", [("check", *PATHS), ("format", "--check", *PATHS)], ids=["check", "format"]
)
def test_ruff(args: tuple[str, ...]) -> None:
    result = run_module("ruff", *args)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = run_module("mypy", "--strict", *PATHS)
    assert result.returncode == 0, result.stdout + result.stderr
