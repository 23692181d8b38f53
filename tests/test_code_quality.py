"""Devora's own code passes the checks it asks of others: ruff, ruff format, mypy --strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_check() -> None:
    result = run(str(BIN / "ruff"), "check", "src", "tests", "examples", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = run(
        str(BIN / "ruff"), "format", "--check", "src", "tests", "examples", "benchmarks", "docs"
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.timeout(1200)  # a first run, without mypy's cache, beside the suite's other workers
def test_mypy_strict() -> None:
    """mypy --strict on the whole package (pyproject.toml lists src/devora)."""
    result = run(str(BIN / "mypy"), "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


def test_public_api_is_exported() -> None:
    import devora.engine
    import devora.store

    for module in (devora.engine, devora.store):
        names = module.__all__
        assert len(set(names)) == len(names)
        assert [name for name in names if not hasattr(module, name)] == []
