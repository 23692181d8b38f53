"""A store that cannot be used: one clear error per cause, exit 5, no traceback, no guess.

A bad URL, a missing driver, a file that is not a database, a full disk and a locked
store each get their own error and hint (not "check that the database is running").
"""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from devora.errors import StoreLockedError
from devora.store import resolve_store_location
from devora.store._faults import database_fault
from tests.cli.harness import TOYS, Devora, assert_one_clear_error
from tests.conftest import require

FILLER = """
from pydantic import BaseModel
from devora.engine import Step, Workflow

class Inputs(BaseModel):
    lines: int = 400

async def fill(ctx) -> int:
    for n in range(ctx.inputs.lines):
        ctx.log(f"{n} " + "x" * 32768)
    return ctx.inputs.lines

flow = Workflow("filler", [Step("fill", fill)], inputs=Inputs)
"""


@pytest.fixture
def devora(tmp_path: Path) -> Devora:
    return Devora(home=tmp_path / ".devora")


@pytest.mark.parametrize(
    ("url", "fragments"),
    [
        ("notaurl", ("not a database URL", "postgresql://user@host")),
        ("nosuchdb://u@h/db", ("'nosuchdb' is not a database SQLAlchemy knows",)),
        ("mysql://u:pw@localhost/db", ("driver 'MySQLdb' is not installed", "u:***@")),
        ("postgresql+psycopg2://u@h/db", ("driver 'psycopg2' is not installed",)),
    ],
)
def test_a_database_url_devora_cannot_use(
    devora: Devora, url: str, fragments: tuple[str, ...]
) -> None:
    devora.database_url = url
    result = devora("run", f"{TOYS}:chain")
    assert_one_clear_error(result, *fragments, code=5)
    assert "database is running" not in result.stderr
    assert not devora.home.exists() or not (devora.home / "devora.db").exists()


def _truncated(path: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole.db"
    with sqlite3.connect(whole) as db:
        db.execute("CREATE TABLE t (x TEXT)")
        db.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,) for _ in range(200)])
    path.write_bytes(whole.read_bytes()[:5000])


@pytest.mark.parametrize(
    ("damage", "fragment"),
    [
        ("truncated", "database disk image is malformed"),
        ("random bytes", "file is not a database"),
        ("text", "file is not a database"),
        ("directory", "it is a directory, not a SQLite database file"),
    ],
)
def test_a_store_file_that_is_not_a_sound_database(
    devora: Devora, tmp_path: Path, damage: str, fragment: str
) -> None:
    devora.home.mkdir()
    path = devora.home / "devora.db"
    if damage == "truncated":
        _truncated(path, tmp_path)
    elif damage == "random bytes":
        path.write_bytes(os.urandom(20_000))
    elif damage == "text":
        path.write_text("these are my notes, not a database\n")
    else:
        path.mkdir()
    before = path.read_bytes() if path.is_file() else None
    for command in (("run", f"{TOYS}:chain"), ("runs",)):
        result = devora(*command)
        assert_one_clear_error(result, fragment, f"mv {path} {path}.broken", code=5)
    assert (path.read_bytes() if path.is_file() else None) == before  # left as it was


def test_an_empty_store_file_is_a_new_store(devora: Devora) -> None:
    devora.home.mkdir()
    (devora.home / "devora.db").write_bytes(b"")
    assert devora("run", f"{TOYS}:chain").returncode == 0


def test_a_locked_store_is_not_called_unreachable(tmp_path: Path) -> None:
    path = tmp_path / "devora.db"
    location = resolve_store_location(home=tmp_path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError) as raised:
            sqlite3.connect(path, timeout=0).execute("SELECT * FROM sqlite_master")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    fault = database_fault(location, raised.value)
    assert isinstance(fault, StoreLockedError)
    assert "another devora process" in fault.hint and fault.exit_code == 5


@pytest.fixture(params=["tmpfs", "rlimit"])
def small_disk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A real full disk: a 2 MB tmpfs (needs root), or a 4 MB file-size limit (RLIMIT_FSIZE)."""
    kind: str = request.param
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    if kind == "rlimit":
        yield mount_point, kind
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    require(mounted.returncode == 0, f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point, kind
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_a_disk_that_fills_mid_run(small_disk: tuple[Path, str], tmp_path: Path) -> None:
    directory, kind = small_disk
    devora = Devora(home=directory / ".devora")
    workflow = tmp_path / "filler.py"
    workflow.write_text(FILLER)

    def limit_file_size() -> None:  # pragma: no cover - runs in the child
        if kind == "rlimit":
            resource.setrlimit(resource.RLIMIT_FSIZE, (4 << 20, 4 << 20))

    result = subprocess.run(
        devora.argv("run", f"{workflow}:flow"),
        env=devora.env(),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        preexec_fn=limit_file_size,
        check=False,
    )
    assert_one_clear_error(result, "is not writable", "free space on that disk", code=5)
    assert "database is running" not in result.stderr
