"""One suite every migration source passes: the MigrationSource contract, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from devora.tools.migrations import (
    AlembicSource,
    MigrationError,
    MigrationSource,
    MigrationStatementError,
    SqlFolderSource,
    apply_migrations,
    dry_run,
    open_engine,
    verify_migrations,
)

from .helpers import state_of, write_alembic_project, write_sql_folder

# (name, upgrade statements, downgrade statements)
Step = tuple[str, list[str], list[str]]
STEPS: list[Step] = [
    (
        "users",
        [
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL)",
            "INSERT INTO users (id, name) VALUES (1, 'ann')",
        ],
        ["DROP TABLE users"],
    ),
    (
        "email",
        [
            "ALTER TABLE users ADD COLUMN email VARCHAR(100)",
            "CREATE INDEX ix_users_email ON users (email)",
        ],
        ["DROP INDEX ix_users_email", "ALTER TABLE users DROP COLUMN email"],
    ),
]
BROKEN: Step = ("broken", ["UPDATE users SET name = 'bob'", "SELEC 1"], [])


def _sql_folder(root: Path, steps: list[Step]) -> MigrationSource:
    files = {
        f"{n:04d}_{name}.sql": "".join(f"{sql};\n" for sql in up)
        for n, (name, up, _down) in enumerate(steps, start=1)
    }
    return SqlFolderSource(write_sql_folder(root, files))


def _alembic(root: Path, steps: list[Step]) -> MigrationSource:
    revisions = {}
    previous = None
    for n, (name, up, down) in enumerate(steps, start=1):
        ups = "".join(f"    op.execute({sql!r})\n" for sql in up)
        downs = "".join(f"    op.execute({sql!r})\n" for sql in down) or "    pass\n"
        revisions[f"r{n}_{name}.py"] = (
            f'"""{name}"""\nfrom alembic import op\n\nrevision = "r{n}"\n'
            f"down_revision = {previous!r}\n\n\ndef upgrade():\n{ups}\n\ndef downgrade():\n{downs}"
        )
        previous = f"r{n}"
    return AlembicSource(write_alembic_project(root, revisions))


Factory = Callable[[Path, list[Step]], MigrationSource]


@pytest.fixture(params=[_sql_folder, _alembic], ids=["sql", "alembic"])
def make_source(request: pytest.FixtureRequest) -> Factory:
    """Each conformance test runs against every source kind."""
    factory: Factory = request.param
    return factory


def test_fresh_database_has_everything_pending_in_order(
    tmp_path: Path, db_url: str, make_source: Factory
) -> None:
    source = make_source(tmp_path, STEPS)
    assert isinstance(source, MigrationSource)
    with open_engine(db_url) as engine, engine.connect() as connection:
        assert source.state(connection).applied == ()
        pending = source.pending(connection)
    assert [m.name for m in pending] == ["users", "email"]
    for migration in pending:
        assert Path(migration.file).is_file()
        assert len(migration.statements) == 2
        assert all(s.line >= 1 and s.file == migration.file for s in migration.statements)
    assert pending[1].statements[0].sql.startswith("ALTER TABLE users ADD COLUMN email")


def test_apply_in_transaction_is_undone_by_rollback(
    tmp_path: Path, db_url: str, make_source: Factory
) -> None:
    source = make_source(tmp_path, STEPS)
    before = state_of(db_url)
    with open_engine(db_url) as engine, engine.connect() as connection:
        with connection.begin() as transaction:
            applied = source.apply_in_transaction(connection)
            assert len(applied) == 2
            assert source.state(connection).applied != ()
            transaction.rollback()
        assert source.state(connection).applied == ()
    assert state_of(db_url) == before


def test_upgrade_records_and_is_idempotent(
    tmp_path: Path, db_url: str, make_source: Factory
) -> None:
    source = make_source(tmp_path, STEPS)
    with open_engine(db_url) as engine:
        assert len(source.upgrade(engine)) == 2
        assert source.upgrade(engine) == []
        with engine.connect() as connection:
            assert source.state(connection).applied != ()
            assert source.pending(connection) == []
            assert connection.exec_driver_sql("SELECT name FROM users").scalars().all() == ["ann"]


def test_failed_upgrade_changes_nothing(tmp_path: Path, db_url: str, make_source: Factory) -> None:
    source = make_source(tmp_path, [*STEPS, BROKEN])
    before = state_of(db_url)
    with open_engine(db_url) as engine, pytest.raises(MigrationStatementError) as info:
        source.upgrade(engine)
    assert "broken" in Path(info.value.file).name
    assert info.value.line is not None
    assert state_of(db_url) == before


def test_downgrade_returns_to_a_state_or_says_it_cannot(
    tmp_path: Path, db_url: str, make_source: Factory
) -> None:
    source = make_source(tmp_path, STEPS[:1])
    with open_engine(db_url) as engine:
        source.upgrade(engine)
        with engine.connect() as connection:
            start = source.state(connection)
        source = make_source(tmp_path, STEPS)
        after_first = state_of(db_url)
        source.upgrade(engine)
        if not source.supports_downgrade:
            with pytest.raises(MigrationError):
                source.downgrade(engine, start)
            return
        source.downgrade(engine, start)
        with engine.connect() as connection:
            assert source.state(connection) == start
    assert state_of(db_url)[0] == after_first[0]


async def test_dry_run_predicts_the_schema_the_upgrade_makes(
    tmp_path: Path, db_url: str, make_source: Factory
) -> None:
    source = make_source(tmp_path, STEPS)
    before = state_of(db_url)
    plan = await dry_run(source, db_url)
    assert state_of(db_url) == before
    applied = apply_migrations(source, db_url)
    assert applied.after == plan.after
    assert verify_migrations(db_url, plan.after).ok
