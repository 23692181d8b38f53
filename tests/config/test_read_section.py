"""A workflow's own configuration section: devora.toml first, then [tool.devora]."""

from __future__ import annotations

from pathlib import Path

import pytest

from devora.config import read_section


class Unreadable(Exception):
    pass


def unreadable(path: Path, error: Exception) -> Exception:
    return Unreadable(f"{path.name}: {error}")


def test_devora_toml_wins_then_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.devora.release]\nremote = 'up'\n")
    assert read_section(tmp_path, "release", unreadable) == (
        {"remote": "up"},
        tmp_path / "pyproject.toml",
    )
    (tmp_path / "devora.toml").write_text("[release]\nremote = 'origin'\n")
    assert read_section(tmp_path, "release", unreadable) == (
        {"remote": "origin"},
        tmp_path / "devora.toml",
    )
    assert read_section(tmp_path, "migration", unreadable) is None


def test_an_unreadable_file_raises_the_callers_error(tmp_path: Path) -> None:
    (tmp_path / "devora.toml").write_text("[release\n")
    with pytest.raises(Unreadable, match=r"devora\.toml"):
        read_section(tmp_path, "release", unreadable)
