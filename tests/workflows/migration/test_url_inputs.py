"""A database URL with a password is refused as an input: it would be stored with the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.harness import Devora

WITH_PASSWORDS = [
    "postgresql://app:hunter22@db.example/prod",
    "postgresql://app:pa/ss#w@rd@db.example:5432/prod",  # characters a pattern gets wrong
    "postgresql://app:p%2Fa%23s%40s@db.example/prod",
    "mysql+pymysql://root:s3cret@localhost/db",
]


@pytest.mark.parametrize("url", WITH_PASSWORDS)
def test_a_url_with_a_password_is_refused_and_the_variable_suggested(
    devora: Devora, tmp_path: Path, url: str
) -> None:
    result = devora("run", "migration", str(tmp_path), "-i", f"url={url}")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "$DATABASE_URL" in result.stderr and "Hint:" in result.stderr
    assert url.split(":")[2].split("@")[0] not in result.stdout + result.stderr
    assert json.loads(devora("runs", "--json").stdout) == []  # nothing recorded


def test_a_url_without_a_password_passes_input_validation(devora: Devora, tmp_path: Path) -> None:
    result = devora("run", "migration", str(tmp_path), "-i", "url=sqlite:///nothing-here.db")
    assert "password" not in result.stderr
