"""The coding agent works in real git repositories: git must be installed."""

from __future__ import annotations

import pytest

from tests.conftest import require_executable


@pytest.fixture(autouse=True)
def _git_installed() -> None:
    require_executable("git", "apt-get install git")
