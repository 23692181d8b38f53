"""Devora's home is 0700; its database (with -wal and -shm), artifacts and reports are 0600."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest
from pydantic import BaseModel

from devora.engine import Engine, Step, StepContext, Workflow
from devora.private_files import make_private_dir, write_private
from devora.store import open_store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> object:
    """The modes must come from Devora, not from a strict umask that happens to be set."""
    previous = os.umask(0o022)
    yield None
    os.umask(previous)


class NoInputs(BaseModel):
    pass


async def keep_files(ctx: StepContext[NoInputs]) -> str:
    ctx.add_artifact("notes.md", "a report")
    backup = ctx.artifacts_dir / "backup.db"
    backup.write_bytes(b"\x00binary backup")  # a tool writing in place, with its own mode
    ctx.add_artifact("backup.db", backup)
    source = Path(ctx.home).parent / "dump.sql"
    source.write_text("copied in", encoding="utf-8")
    ctx.add_artifact("dump.sql", source)
    return "kept"


KEEPER = Workflow(name="keeper", inputs=NoInputs, steps=[Step("keep", keep_files)])


def test_home_database_and_artifacts_are_private(tmp_path: Path) -> None:
    home = tmp_path / "project" / ".devora"
    with open_store(home=home) as store:
        result = asyncio.run(Engine(store).run(KEEPER, {}))
        assert result.status.value == "succeeded"
        database = home / "devora.db"
        assert _mode(home) == 0o700
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            assert path.exists() and _mode(path) == 0o600, path
        artifacts = store.artifacts(result.run_id)
        assert {a.name for a in artifacts} == {"notes.md", "backup.db", "dump.sql"}
        for artifact in artifacts:
            assert _mode(Path(artifact.path)) == 0o600, artifact.name
            assert _mode(Path(artifact.path).parent) == 0o700
        assert _mode(home / "artifacts") == 0o700


def test_reports_and_caches_are_written_private_even_over_an_open_file(tmp_path: Path) -> None:
    reports = make_private_dir(tmp_path / "out" / "reports")
    assert _mode(reports) == _mode(reports.parent) == 0o700
    existing = reports / "report.json"
    existing.write_text("{}", encoding="utf-8")
    existing.chmod(0o644)
    write_private(existing, "{}")
    assert _mode(existing) == 0o600


def test_what_a_tool_wrote_under_a_private_cache_becomes_private(tmp_path: Path) -> None:
    from devora.private_files import make_tree_private

    cache = tmp_path / "cache"
    (cache / "3.11" / "pkg").mkdir(parents=True, mode=0o755)
    (cache / "3.11" / "pkg" / "mod.data.json").write_text("{}")
    os.chmod(cache / "3.11" / "pkg" / "mod.data.json", 0o644)
    make_tree_private(cache)
    assert stat.S_IMODE((cache / "3.11" / "pkg").stat().st_mode) == 0o700
    assert stat.S_IMODE((cache / "3.11" / "pkg" / "mod.data.json").stat().st_mode) == 0o600
