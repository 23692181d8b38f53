"""Migration workflow tests: a fresh SQLite file or PostgreSQL database per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.harness import Devora


@pytest.fixture
def devora(tmp_path: Path) -> Devora:
    """The real `devora` command with a store of its own."""
    return Devora(home=tmp_path / ".devora")
