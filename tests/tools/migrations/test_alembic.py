"""The Alembic source on real databases: pending, offline SQL for the lint, upgrade, downgrade."""

from __future__ import annotations

from pathlib import Path

import pytest

from devora.tools.migrations import (
    AlembicSource,
    MigrationSourceError,
    MigrationState,
    MigrationSyntaxError,
    analyze,
    dry_run,
    open_engine,
)

from .helpers import state_of, write_alembic_project
from .revisions import (
    A1,
    B2,
    C3_BROKEN,
    C3_CONCURRENT,
    C3_PYTHON_ERROR,
    C3_READS_DATA,
    C3_RISKY,
)


def _project(tmp_path: Path, **extra: str) -> AlembicSource:
    revisions = {"a1_users.py": A1, "b2_email.py": B2}
    revisions.update({f"{name}.py": text for name, text in extra.items()})
    return AlembicSource(write_alembic_project(tmp_path, revisions))


def test_pending_revisions_in_order_with_their_sql(tmp_path: Path, db_url: str) -> None:
    source = _project(tmp_path)
    with open_engine(db_url) as engine, engine.connect() as connection:
        assert source.state(connection) == MigrationState(
            source="alembic", applied=(), tracked=False
        )
        pending = source.pending(connection)
    assert [(m.version, m.name) for m in pending] == [
        ("a1", "create users"),
        ("b2", "email and a rename"),
    ]
    first = pending[0].statements
    assert first[0].sql.startswith("CREATE TABLE users")
    assert first[0].file.endswith("a1_users.py")
    assert [s.line for s in first] == [10, 15]  # the lines of the op calls
    assert [s.line for s in pending[1].statements] == [10, 11, 12]


def test_upgrade_and_downgrade_to_the_start(tmp_path: Path, db_url: str) -> None:
    source = _project(tmp_path)
    before = state_of(db_url)
    with open_engine(db_url) as engine:
        assert [m.version for m in source.upgrade(engine)] == ["a1", "b2"]
        with engine.connect() as connection:
            assert source.state(connection).applied == ("b2",)
            assert source.pending(connection) == []
            names = connection.exec_driver_sql("SELECT full_name FROM users").scalars().all()
        assert names == ["ann"]
        source.downgrade(engine, MigrationState(source="alembic", applied=("a1",)))
        with engine.connect() as connection:
            assert source.state(connection).applied == ("a1",)
        source.downgrade(engine, MigrationState(source="alembic", applied=(), tracked=False))
    assert state_of(db_url) == before  # back to nothing, version table included


def test_risky_ops_are_found_at_their_op_line(tmp_path: Path, db_url: str) -> None:
    source = _project(tmp_path, c3_risky=C3_RISKY)
    before = state_of(db_url)
    analysis = analyze(source, db_url)
    assert state_of(db_url) == before
    rules = [(f.rule, Path(f.file or "").name, f.line) for f in analysis.findings]
    assert ("rename-column", "b2_email.py", 12) in rules
    assert ("drop-table", "c3_risky.py", 11) in rules
    # users is created by a pending revision (a1), so a NOT NULL column on it is harmless...
    assert not any(rule == "add-not-null-without-default" for rule, _, _ in rules)


def test_not_null_on_an_existing_table_and_blocking_index(tmp_path: Path, pg_url: str) -> None:
    source = _project(tmp_path, c3_risky=C3_RISKY)
    first_only = AlembicSource(write_alembic_project(tmp_path / "first", {"a1_users.py": A1}))
    with open_engine(pg_url) as engine:
        first_only.upgrade(engine)  # users now exists before b2 and c3 run
    rules = {(f.rule, Path(f.file or "").name, f.line) for f in analyze(source, pg_url).findings}
    assert ("add-not-null-without-default", "c3_risky.py", 10) in rules
    assert ("index-not-concurrent", "b2_email.py", 11) in rules


def test_autocommit_block_statements_are_marked_outside_transaction(
    tmp_path: Path, pg_url: str
) -> None:
    source = _project(tmp_path, c3_concurrent=C3_CONCURRENT)
    analysis = analyze(source, pg_url)
    (statement,) = analysis.pending[2].statements
    assert statement.sql.startswith("CREATE INDEX CONCURRENTLY")
    assert statement.outside_transaction
    assert analysis.outside_transaction == (f"{statement.file}:10",)
    with open_engine(pg_url) as engine:
        source.upgrade(engine)
        with engine.connect() as connection:
            assert source.state(connection).applied == ("c3",)


def test_failing_revision_names_its_file_and_op_line(tmp_path: Path, db_url: str) -> None:
    source = _project(tmp_path, c3_broken=C3_BROKEN)
    before = state_of(db_url)
    with open_engine(db_url) as engine, pytest.raises(MigrationSyntaxError) as info:
        source.upgrade(engine)
    assert info.value.file.endswith("c3_broken.py")
    assert info.value.line == 10
    assert state_of(db_url) == before  # a1 and b2 were rolled back with it


def test_missing_ini_and_unknown_database_revision(tmp_path: Path, sqlite_url: str) -> None:
    with pytest.raises(MigrationSourceError, match=r"alembic\.ini not found"):
        AlembicSource(tmp_path / "nope" / "alembic.ini")
    source = _project(tmp_path)
    with open_engine(sqlite_url) as engine:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32))")
            connection.exec_driver_sql("INSERT INTO alembic_version VALUES ('zz9')")
        with engine.connect() as connection, pytest.raises(MigrationSourceError) as info:
            source.pending(connection)
    assert "zz9" in info.value.message


async def test_revision_that_reads_data_is_flagged_and_dry_run_on_a_copy(
    tmp_path: Path, db_url: str
) -> None:
    source = _project(tmp_path, c3_reads=C3_READS_DATA)
    before = state_of(db_url)
    analysis = analyze(source, db_url)
    (flag,) = [f for f in analysis.findings if f.rule == "not-linted"]
    assert flag.file is not None and flag.file.endswith("c3_reads.py")
    assert "cannot render offline (line 10)" in flag.message
    assert analysis.pending[2].render_problem
    result = await dry_run(source, db_url)
    assert result.mode == "copy"
    assert state_of(db_url) == before
    with open_engine(db_url) as engine:
        source.upgrade(engine)
        with engine.connect() as connection:
            emails = connection.exec_driver_sql("SELECT email FROM users").scalars().all()
    assert emails == ["seen 1"]


def test_python_error_in_a_revision_names_its_file_and_line(
    tmp_path: Path, sqlite_url: str
) -> None:
    source = _project(tmp_path, c3_typo=C3_PYTHON_ERROR)
    before = state_of(sqlite_url)
    with open_engine(sqlite_url) as engine, pytest.raises(MigrationSourceError) as info:
        source.upgrade(engine)
    assert "c3_typo.py:10" in info.value.message
    assert "AttributeError" in info.value.message and "add_colum" in info.value.message
    assert state_of(sqlite_url) == before


def test_downgrade_to_base_keeps_a_version_table_that_was_there(
    tmp_path: Path, db_url: str
) -> None:
    source = _project(tmp_path)
    with open_engine(db_url) as engine:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        with engine.connect() as connection:
            start = source.state(connection)
        assert start.applied == () and start.tracked
        before = state_of(db_url)
        source.upgrade(engine)
        source.downgrade(engine, start)
    assert state_of(db_url) == before
