"""A folder of ordered plain `.sql` migrations, and the table that records what was applied."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Connection, Engine

from devora.tools.migrations._errors import (
    ChecksumMismatchError,
    MigrationError,
    MigrationFolderError,
    MigrationStatementError,
)
from devora.tools.migrations._execute import execute_outside_transaction, execute_statement
from devora.tools.migrations._lint import runs_outside_transaction
from devora.tools.migrations._source import Migration, MigrationState
from devora.tools.migrations._sqltext import split_sql

__all__ = ["DEFAULT_HISTORY_TABLE", "SqlFolderSource", "SqlMigrationFile"]

DEFAULT_HISTORY_TABLE = "devora_schema_migrations"
_NAME = re.compile(r"^(?P<number>\d+)_(?P<name>[^/]+)\.sql$")


class SqlMigrationFile(BaseModel):
    """One `NNNN_name.sql` file of the folder."""

    model_config = ConfigDict(frozen=True)

    number: int
    name: str
    path: Path
    checksum: str


def _history_table(name: str) -> sa.Table:
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    )


class SqlFolderSource:
    """Migrations from `NNNN_name.sql` files, applied in number order and recorded in a table."""

    kind = "sql"
    supports_downgrade = False

    def __init__(self, folder: str | Path, *, history_table: str = DEFAULT_HISTORY_TABLE) -> None:
        self.folder = Path(folder)
        self.location = str(self.folder)
        self.history = _history_table(history_table)

    def files(self) -> list[SqlMigrationFile]:
        """The migration files in order; raises on a bad name, a duplicate or a gap."""
        if not self.folder.is_dir():
            raise MigrationFolderError(self.location, "it is not a directory")
        found: list[SqlMigrationFile] = []
        for path in sorted(self.folder.glob("*.sql")):
            match = _NAME.match(path.name)
            if match is None:
                raise MigrationFolderError(
                    self.location,
                    f"{path.name} is not named NNNN_description.sql",
                    files=(path.name,),
                )
            data = path.read_bytes()
            found.append(
                SqlMigrationFile(
                    number=int(match["number"]),
                    name=match["name"],
                    path=path,
                    checksum=hashlib.sha256(data).hexdigest(),
                )
            )
        found.sort(key=lambda f: f.number)
        by_number: dict[int, list[SqlMigrationFile]] = {}
        for item in found:
            by_number.setdefault(item.number, []).append(item)
        for number, items in by_number.items():
            if len(items) > 1:
                names = tuple(i.path.name for i in items)
                raise MigrationFolderError(
                    self.location,
                    f"number {number} is used by {len(items)} files: {', '.join(names)}",
                    files=names,
                )
        for expected, item in enumerate(found, start=1):
            if item.number != expected:
                raise MigrationFolderError(
                    self.location,
                    f"gap in the numbering: migration {expected} is missing "
                    f"(next file is {item.path.name})",
                    files=(item.path.name,),
                )
        return found

    def _applied_rows(self, connection: Connection) -> dict[int, tuple[str, str]]:
        if not sa.inspect(connection).has_table(self.history.name):
            return {}
        rows = connection.execute(
            sa.select(self.history.c.version, self.history.c.name, self.history.c.checksum)
        )
        return {int(r.version): (str(r.name), str(r.checksum)) for r in rows}

    def state(self, connection: Connection) -> MigrationState:
        """The versions the database has applied, in order."""
        applied = sorted(self._applied_rows(connection))
        tracked = sa.inspect(connection).has_table(self.history.name)
        return MigrationState(
            source=self.kind, applied=tuple(str(v) for v in applied), tracked=tracked
        )

    def pending(self, connection: Connection) -> list[Migration]:
        """Files not yet applied; raises on checksum mismatch, missing or out-of-order files."""
        files = self.files()
        applied = self._applied_rows(connection)
        by_number = {f.number: f for f in files}
        for version, (name, checksum) in sorted(applied.items()):
            file = by_number.get(version)
            if file is None:
                raise MigrationFolderError(
                    self.location,
                    f"migration {version} ({name}) was applied but its file is missing",
                )
            if file.checksum != checksum:
                raise ChecksumMismatchError(str(file.path), str(version), checksum, file.checksum)
        last = max(applied, default=0)
        pending: list[Migration] = []
        for file in files:
            if file.number in applied:
                continue
            if file.number < last:
                raise MigrationFolderError(
                    self.location,
                    f"{file.path.name} is older than the last applied migration ({last}) "
                    "but was never applied",
                    files=(file.path.name,),
                )
            text = file.path.read_text(encoding="utf-8")
            pending.append(
                Migration(
                    version=str(file.number),
                    name=file.name,
                    file=str(file.path),
                    statements=tuple(split_sql(text, file=str(file.path))),
                )
            )
        return pending

    def _record(self, connection: Connection, migration: Migration) -> None:
        checksum = hashlib.sha256(Path(migration.file).read_bytes()).hexdigest()
        connection.execute(
            self.history.insert().values(
                version=int(migration.version),
                name=migration.name,
                checksum=checksum,
                applied_at=dt.datetime.now(dt.UTC),
            )
        )

    def apply_in_transaction(self, connection: Connection) -> list[Migration]:
        """Run every pending migration in the caller's transaction and record each one."""
        pending = self.pending(connection)
        self.history.create(connection, checkfirst=True)
        for migration in pending:
            for statement in migration.statements:
                execute_statement(connection, statement)
            self._record(connection, migration)
        return pending

    def upgrade(self, engine: Engine) -> list[Migration]:
        """Apply and commit the pending migrations, all-or-nothing when they allow it."""
        with engine.connect() as connection:
            pending = self.pending(connection)
            dialect = connection.dialect.name
            version = connection.dialect.server_version_info or ()
            outside = any(
                runs_outside_transaction(s, dialect, version) for m in pending for s in m.statements
            )
            connection.rollback()  # end the reads' implicit transaction
            if not outside:
                with connection.begin():
                    return self.apply_in_transaction(connection)
            with connection.begin():
                self.history.create(connection, checkfirst=True)
            done: list[str] = []
            for migration in pending:
                try:
                    self._apply_in_steps(engine, connection, migration, dialect, version)
                except MigrationStatementError as exc:
                    committed = ", ".join(done) or "none"
                    exc.hint = (
                        "these migrations could not run in one transaction (a statement must "
                        f"run outside one): migrations committed before the failure: {committed}; "
                        f"statements of {Path(migration.file).name} before line {exc.line} that "
                        "ran outside a transaction stay applied. Restore the backup to roll back."
                    )
                    raise
                done.append(migration.version)
            return pending

    def _apply_in_steps(
        self,
        engine: Engine,
        connection: Connection,
        migration: Migration,
        dialect: str,
        version: tuple[int | str, ...],
    ) -> None:
        # One transaction per migration; a statement that cannot run in one is run on its
        # own autocommit connection between two transactions.
        transaction = connection.begin()
        try:
            for statement in migration.statements:
                if runs_outside_transaction(statement, dialect, version):
                    transaction.commit()
                    execute_outside_transaction(engine, statement)
                    transaction = connection.begin()
                else:
                    execute_statement(connection, statement)
            self._record(connection, migration)
            transaction.commit()
        finally:
            if transaction.is_active:
                transaction.rollback()

    def downgrade(self, engine: Engine, to: MigrationState) -> None:
        """Plain .sql folders have no down migrations: restore the backup instead."""
        raise MigrationError(
            f"the .sql migrations in {self.location} cannot be downgraded",
            hint="restore the backup taken before applying (restore_backup)",
        )
