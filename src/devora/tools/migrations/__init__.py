"""The tool layer of the migration workflow: sources, lint, snapshots, backup, dry-run, apply.

Two sources share one interface (`MigrationSource`): `SqlFolderSource` for a folder of
`NNNN_name.sql` files (recorded in `devora_schema_migrations`) and `AlembicSource` for an
Alembic project. Every function takes a SQLAlchemy URL and works on SQLite and PostgreSQL.
The migration workflow's steps map onto it like this::

    analysis = analyze(source, url, root=project)        # pending + risk findings
    backup = await backup_database(url, artifacts_dir)   # backup.restore_command for the report
    plan = await dry_run(source, url)                    # plan.before / plan.after / plan.diff
    applied = apply_migrations(source, url)
    check = verify_migrations(url, plan.after, smoke_queries)
    if not check.ok:                                     # compensation
        await rollback_migrations(source, url, start=applied.start, backup=backup,
                                  before=applied.before)

Functions that run external tools or make database copies are async; the others do
blocking database work (call them through `asyncio.to_thread` from an event loop).
"""

from devora.tools.migrations._alembic import AlembicSource
from devora.tools.migrations._analyze import Analysis, analyze
from devora.tools.migrations._apply import (
    SMOKE_ROW_LIMIT,
    ApplyResult,
    RollbackResult,
    SmokeQuery,
    SmokeResult,
    VerifyResult,
    apply_migrations,
    rollback_migrations,
    verify_migrations,
)
from devora.tools.migrations._backup import Backup, backup_database, restore_backup
from devora.tools.migrations._database import mask_url, open_engine
from devora.tools.migrations._dryrun import DryRunResult, dry_run
from devora.tools.migrations._errors import (
    BackupError,
    ChecksumMismatchError,
    DatabaseUnreachableError,
    MigrationError,
    MigrationFolderError,
    MigrationSourceError,
    MigrationStatementError,
    MigrationSyntaxError,
)
from devora.tools.migrations._fingerprint import DataFingerprint, TableFingerprint, fingerprint_data
from devora.tools.migrations._lint import (
    TOOL,
    advances_sequences,
    lint_statements,
    runs_outside_transaction,
)
from devora.tools.migrations._schema import (
    ColumnInfo,
    ConstraintInfo,
    IndexInfo,
    SchemaChange,
    SchemaDiff,
    SchemaSnapshot,
    TableInfo,
    snapshot_schema,
)
from devora.tools.migrations._source import Migration, MigrationSource, MigrationState
from devora.tools.migrations._sqlfolder import DEFAULT_HISTORY_TABLE, SqlFolderSource
from devora.tools.migrations._sqltext import SqlStatement, split_sql

__all__ = [
    "DEFAULT_HISTORY_TABLE",
    "SMOKE_ROW_LIMIT",
    "TOOL",
    "AlembicSource",
    "Analysis",
    "ApplyResult",
    "Backup",
    "BackupError",
    "ChecksumMismatchError",
    "ColumnInfo",
    "ConstraintInfo",
    "DataFingerprint",
    "DatabaseUnreachableError",
    "DryRunResult",
    "IndexInfo",
    "Migration",
    "MigrationError",
    "MigrationFolderError",
    "MigrationSource",
    "MigrationSourceError",
    "MigrationState",
    "MigrationStatementError",
    "MigrationSyntaxError",
    "RollbackResult",
    "SchemaChange",
    "SchemaDiff",
    "SchemaSnapshot",
    "SmokeQuery",
    "SmokeResult",
    "SqlFolderSource",
    "SqlStatement",
    "TableFingerprint",
    "TableInfo",
    "VerifyResult",
    "advances_sequences",
    "analyze",
    "apply_migrations",
    "backup_database",
    "dry_run",
    "fingerprint_data",
    "lint_statements",
    "mask_url",
    "open_engine",
    "restore_backup",
    "rollback_migrations",
    "runs_outside_transaction",
    "snapshot_schema",
    "split_sql",
    "verify_migrations",
]
