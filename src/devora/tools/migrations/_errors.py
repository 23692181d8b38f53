"""Errors of the migration tools, each with structured fields, a message and a hint.

DevoraError
├── UsageError
│   └── MigrationError                 a migration cannot be read, checked or run
│       ├── MigrationFolderError       gap or duplicate in the numbering, bad file name
│       ├── ChecksumMismatchError      an applied migration's file was edited afterwards
│       ├── MigrationStatementError    the database refused a statement
│       │   └── MigrationSyntaxError   ... because it is not valid SQL
│       └── MigrationSourceError       an Alembic project that cannot be loaded or run
└── EnvironmentProblem
    ├── DatabaseUnreachableError       the URL cannot be connected to (password masked)
    └── BackupError                    a backup or restore did not complete
        └── BackupTimeoutError         ... its tool ran past its limit (a TimedOut too)
"""

from __future__ import annotations

from devora.errors import EnvironmentProblem, TimedOut, UsageError

__all__ = [
    "BackupError",
    "BackupTimeoutError",
    "ChecksumMismatchError",
    "DatabaseUnreachableError",
    "MigrationError",
    "MigrationFolderError",
    "MigrationSourceError",
    "MigrationStatementError",
    "MigrationSyntaxError",
]


class MigrationError(UsageError):
    """A migration cannot be read, checked or run."""

    code = "migration"


class MigrationFolderError(MigrationError):
    """A folder of `.sql` migrations is not a clean 1, 2, 3... sequence."""

    code = "migration_folder"

    def __init__(self, folder: str, problem: str, *, files: tuple[str, ...] = ()) -> None:
        self.folder = folder
        self.problem = problem
        self.files = files
        super().__init__(
            f"migration folder {folder} is invalid: {problem}",
            hint="name migrations NNNN_description.sql, numbered 1, 2, 3... with no gap "
            "and no number used twice",
        )


class ChecksumMismatchError(MigrationError):
    """A migration already applied to the database was changed on disk since."""

    code = "migration_checksum"

    def __init__(self, file: str, version: str, recorded: str, actual: str) -> None:
        self.file = file
        self.version = version
        self.recorded = recorded
        self.actual = actual
        super().__init__(
            f"migration {file} (version {version}) was applied with checksum "
            f"{recorded[:12]}… but the file now has {actual[:12]}…",
            hint="never edit an applied migration: restore the file as it was "
            "(see git log) and put the change in a new migration",
        )


class MigrationStatementError(MigrationError):
    """The database refused one statement of a migration."""

    code = "migration_statement"
    kind = "failed"

    def __init__(
        self, file: str, line: int | None, statement: str, problem: str, *, hint: str | None = None
    ) -> None:
        self.file = file
        self.line = line
        self.statement = statement
        self.problem = problem
        where = f"{file}:{line}" if line is not None else file
        first = statement.strip().splitlines()[0] if statement.strip() else ""
        super().__init__(
            f"migration statement {self.kind} at {where}: {problem} (statement: {first[:120]})",
            hint=hint
            or "fix the statement and run again; nothing of this migration run was committed "
            "unless the report says so",
        )


class MigrationSyntaxError(MigrationStatementError):
    """A statement of a migration is not valid SQL for this database."""

    code = "migration_syntax"
    kind = "has a syntax error"


class MigrationSourceError(MigrationError):
    """An Alembic project (or another source) cannot be loaded or run."""

    code = "migration_source"

    def __init__(self, source: str, problem: str, *, hint: str | None = None) -> None:
        self.source = source
        self.problem = problem
        super().__init__(
            f"migration source {source}: {problem}",
            hint=hint or "check alembic.ini's script_location and the versions/ folder",
        )


class DatabaseUnreachableError(EnvironmentProblem):
    """The database URL cannot be connected to; the URL is shown with its password masked."""

    code = "database_unreachable"

    def __init__(self, url: str, problem: str, *, hint: str | None = None) -> None:
        self.url = url
        self.problem = problem
        super().__init__(
            f"cannot connect to the database at {url}: {problem}",
            hint=hint
            or "check that the database is running, and the host, port, user, password "
            "and database name in the URL",
        )


class BackupError(EnvironmentProblem):
    """A backup or a restore did not complete."""

    code = "backup_failed"

    def __init__(self, action: str, target: str, problem: str, *, hint: str | None = None) -> None:
        self.action = action
        self.target = target
        self.problem = problem
        super().__init__(
            f"{action} of {target} failed: {problem}",
            hint=hint or "check free disk space and the database's permissions, then retry",
        )


class BackupTimeoutError(BackupError, TimedOut):
    """The backup or restore tool ran past its time limit and was killed."""

    code = "backup_timeout"
    retryable = False  # a backup is retried by running the migration again, not by the step

    def __init__(self, action: str, target: str, tool: str, limit: float) -> None:
        self.limit = limit
        self.what = f"{tool} ({action} of {target})"
        super().__init__(action, target, f"{tool} did not finish within {limit:g}s")
