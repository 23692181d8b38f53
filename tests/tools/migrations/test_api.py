"""The package's public surface: one sorted __all__, every name documented."""

from __future__ import annotations

import inspect
import pickle
from pathlib import Path

from pydantic import BaseModel

import devora.tools.migrations as migrations
from devora.errors import DevoraError, EnvironmentProblem, UsageError
from devora.tools.migrations import (
    AlembicSource,
    ChecksumMismatchError,
    DatabaseUnreachableError,
    MigrationSource,
    MigrationSyntaxError,
    SqlFolderSource,
    analyze,
    apply_migrations,
    backup_database,
    dry_run,
)

from .helpers import write_sql_folder


def test_all_is_sorted_and_complete() -> None:
    names = migrations.__all__
    # constants, then classes, then functions, each alphabetical (ruff's RUF022 order)
    assert names == sorted(
        names, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n)
    )
    assert len(set(names)) == len(names)
    for name in names:
        assert hasattr(migrations, name), name
    public = {n for n in dir(migrations) if not n.startswith("_") and n not in {"annotations"}}
    assert public - set(names) == set()


def test_public_classes_and_functions_have_docstrings() -> None:
    for name in migrations.__all__:
        obj = getattr(migrations, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name


def test_both_sources_implement_the_interface() -> None:
    for cls in (SqlFolderSource, AlembicSource):
        for member in ("state", "pending", "apply_in_transaction", "upgrade", "downgrade"):
            assert callable(getattr(cls, member)), (cls, member)
        assert isinstance(cls.kind, str) and isinstance(cls.supports_downgrade, bool)
    assert MigrationSource.__doc__


def test_errors_sit_in_devoras_hierarchy_and_survive_pickling() -> None:
    error = ChecksumMismatchError("0001_a.sql", "1", "a" * 64, "b" * 64)
    assert isinstance(error, UsageError) and isinstance(error, DevoraError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.hint, copy.version) == (error.message, error.hint, "1")
    syntax = MigrationSyntaxError("0002_b.sql", 3, "SELEC 1", 'near "SELEC": syntax error')
    assert "0002_b.sql:3" in syntax.message and "has a syntax error" in syntax.message
    assert issubclass(DatabaseUnreachableError, EnvironmentProblem)


async def test_results_round_trip_through_json_for_the_journal(
    tmp_path: Path, sqlite_url: str
) -> None:
    source = SqlFolderSource(
        write_sql_folder(
            tmp_path,
            {"0001_users.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY);\nDROP TABLE users;\n"},
        )
    )
    results: list[BaseModel] = [
        analyze(source, sqlite_url),
        await dry_run(source, sqlite_url),
        await backup_database(sqlite_url, tmp_path / "b"),
        apply_migrations(source, sqlite_url),
    ]
    for result in results:
        again = type(result).model_validate_json(result.model_dump_json())
        assert again == result, type(result).__name__
