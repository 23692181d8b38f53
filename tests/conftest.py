"""Shared test fixtures: real services, and the CI rule that they must be there."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.file_order import longest_files_first

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get(
    "DEVORA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def require(condition: bool, reason: str) -> None:
    """Skip locally when a service or tool is missing; fail in CI (CI=true), never skip."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def require_executable(name: str, install: str) -> str:
    """Return the path of an executable, or skip/fail naming how to install it."""
    path = shutil.which(name)
    require(path is not None, f"{name} is not installed ({install})")
    assert path is not None
    return path


def postgres_available(url: str = POSTGRES_URL) -> bool:
    """True when PostgreSQL answers at the test URL."""
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of the test PostgreSQL database (database `test` on 127.0.0.1:5432)."""
    require(postgres_available(), f"PostgreSQL is not reachable at {POSTGRES_URL}")
    yield POSTGRES_URL


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite database file in the test's tmp dir."""
    path = tmp_path / "app.db"
    sqlite3.connect(path).close()
    return f"sqlite:///{path}"


@contextmanager
def scratch_postgres_database(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL database of its own (its URL), dropped afterwards."""
    import sqlalchemy as sa

    name = f"devora_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield (
            sa.engine.make_url(postgres_url)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL database of its own for this test, dropped afterwards."""
    with scratch_postgres_database(postgres_url) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test that uses it runs on SQLite and on PostgreSQL (with its client tools)."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    for tool in ("pg_dump", "pg_restore", "psql"):
        require_executable(tool, "apt-get install postgresql-client")
    return str(request.getfixturevalue("pg_url"))


SDIST = "six==1.16.0"  # a small pure-Python package with its tests, nobody here wrote


@pytest.fixture(scope="session")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SDIST downloaded from PyPI and unpacked once per session; tests work on copies of it."""
    where = tmp_path_factory.mktemp("sdist")
    download = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
         SDIST, "-d", str(where / "dl")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if download.returncode != 0:
        pytest.fail(f"cannot download {SDIST} from PyPI:\n{download.stderr[-1000:]}")
    (archive,) = (where / "dl").glob("*.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(where / "src", filter="data")
    (root,) = (where / "src").iterdir()
    return root


@pytest.fixture
def scripted() -> Iterator[list[Any]]:
    """Scripted LLM servers a test starts (tests.llm.harness.serve); stopped afterwards."""
    servers: list[Any] = []
    yield servers
    for server in servers:
        server.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test (`item.rep_call`): a fixture's teardown can
    then tell a failure and say what it saw."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.hookimpl(trylast=True)  # after pytest's own reordering: files end up contiguous
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest files first (tests/file_order.py), the order xdist's loadfile hands them out."""
    longest_files_first(items)
