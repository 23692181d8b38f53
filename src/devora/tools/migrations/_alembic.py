"""An Alembic project as a migration source, driven through alembic's Python API.

Revisions run on Devora's own connection through an `EnvironmentContext` (the project's
env.py is not executed), so Devora owns the transaction: a dry-run can roll it back. For the
lint, each revision's upgrade is rendered in offline (`--sql`) mode and every emitted
statement is attributed to the line of the `op.*` call that produced it in the revision file.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, TextIO, cast

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from devora.tools.migrations._errors import MigrationSourceError, MigrationStatementError
from devora.tools.migrations._execute import translate_statement_error
from devora.tools.migrations._lint import runs_outside_transaction
from devora.tools.migrations._source import Migration, MigrationState
from devora.tools.migrations._sqltext import SqlStatement, split_sql

__all__ = ["AlembicSource"]

_Fn = Callable[[Any, MigrationContext], Any]

# alembic's `context` and `op` are module-level proxies: two migrations running at once in
# threads (asyncio.to_thread) would swap each other's context. One at a time.
_ALEMBIC_LOCK = threading.RLock()


class _StatementCapture:
    """An output buffer for offline mode that files each statement under its op call."""

    def __init__(self, scripts: Iterable[Script]) -> None:
        self.by_path = {os.path.realpath(s.path): s for s in scripts}
        self.statements: dict[str, list[SqlStatement]] = {s.revision: [] for s in scripts}
        self._outside = False

    def _caller(self) -> tuple[Script, int] | None:
        frame: FrameType | None = sys._getframe(1)
        while frame is not None:
            script = self.by_path.get(os.path.realpath(frame.f_code.co_filename))
            if script is not None:
                return script, frame.f_lineno
            frame = frame.f_back
        return None

    def write(self, text: str) -> None:
        caller = self._caller()
        if caller is None:  # alembic's own output: version table, "-- Running upgrade"
            return
        script, line = caller
        for statement in split_sql(text, file=script.path):
            word = statement.masked.strip().upper()
            if word in ("COMMIT", "BEGIN"):  # an autocommit_block's edges
                self._outside = word == "COMMIT"
                continue
            self.statements[script.revision].append(
                statement.model_copy(
                    update={"line": line, "end_line": line, "outside_transaction": self._outside}
                )
            )

    def flush(self) -> None:
        """Nothing is buffered."""


def _revision_frame(tb: TracebackType | None, paths: set[str]) -> tuple[str, int] | None:
    found = None
    while tb is not None:
        path = os.path.realpath(tb.tb_frame.f_code.co_filename)
        if path in paths:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


class AlembicSource:
    """Migrations of an Alembic project (alembic.ini + env.py + versions/)."""

    kind = "alembic"
    supports_downgrade = True

    def __init__(self, ini: str | Path, *, version_table: str = "alembic_version") -> None:
        self.ini = Path(ini)
        self.location = str(self.ini)
        self.version_table = version_table
        if not self.ini.is_file():
            raise MigrationSourceError(self.location, "alembic.ini not found")
        self.config = Config(str(self.ini))
        location = self.config.get_main_option("script_location")
        if not location:
            raise MigrationSourceError(self.location, "alembic.ini has no script_location")
        if not Path(location).is_absolute() and ":" not in location:
            # alembic resolves a relative location from the working directory; a project
            # is found from its ini file instead, wherever Devora runs.
            self.config.set_main_option("script_location", str(self.ini.parent / location))
        try:
            self.script = ScriptDirectory.from_config(self.config)
            self._scripts = {s.revision: s for s in self.script.walk_revisions()}
        except Exception as exc:
            raise MigrationSourceError(self.location, f"cannot load the revisions: {exc}") from exc

    def _heads(self, connection: Connection) -> tuple[str, ...]:
        context = MigrationContext.configure(connection, opts={"version_table": self.version_table})
        return tuple(sorted(context.get_current_heads()))

    def state(self, connection: Connection) -> MigrationState:
        """The revisions the database is at (its current heads)."""
        tracked = sa.inspect(connection).has_table(self.version_table)
        return MigrationState(source=self.kind, applied=self._heads(connection), tracked=tracked)

    def _pending_scripts(self, heads: tuple[str, ...]) -> list[Script]:
        try:
            scripts = list(self.script.iterate_revisions("heads", heads or "base"))
        except Exception as exc:
            raise MigrationSourceError(
                self.location,
                f"the database's revision {', '.join(heads)} is unknown: {exc}",
                hint="the database was migrated by another project, or a revision file is "
                "missing from versions/",
            ) from exc
        scripts.reverse()
        return [s for s in scripts if s.revision not in heads]

    def pending(self, connection: Connection) -> list[Migration]:
        """Revisions not yet applied, oldest first, with the SQL each renders on this database."""
        heads = self._heads(connection)
        scripts = self._pending_scripts(heads)
        if not scripts:
            return []
        if len(heads) > 1:
            raise MigrationSourceError(
                self.location,
                f"the database has several heads ({', '.join(heads)})",
                hint="merge the heads (alembic merge) before migrating with Devora",
            )
        return [self._render(script, connection.dialect.name) for script in scripts]

    def _render(self, script: Script, dialect: str) -> Migration:
        """The revision with the SQL its upgrade emits in offline mode, op line by op line.

        A revision that cannot run offline (it reads data through op.get_bind()) is
        returned without statements and with the reason in `render_problem`.
        """
        capture = _StatementCapture([script])
        down = script.down_revision
        start = down if isinstance(down, str) or down is None else down[0]

        def upgrade(rev: Any, _context: MigrationContext) -> Any:
            return self.script._upgrade_revs(script.revision, rev)

        problem: str | None = None
        try:
            with (
                _ALEMBIC_LOCK,
                EnvironmentContext(
                    self.config,
                    self.script,
                    fn=upgrade,
                    as_sql=True,
                    starting_rev=start,
                    destination_rev=script.revision,
                ) as env,
            ):
                env.configure(
                    dialect_name=dialect,
                    output_buffer=cast(TextIO, capture),
                    version_table=self.version_table,
                    literal_binds=True,
                )
                with env.begin_transaction():
                    env.run_migrations()
        except Exception as exc:
            where = _revision_frame(exc.__traceback__, {os.path.realpath(script.path)})
            line = f" (line {where[1]})" if where else ""
            problem = f"cannot render offline{line}: {type(exc).__name__}: {exc}"
        return Migration(
            version=script.revision,
            name=script.doc or script.revision,
            file=script.path,
            statements=tuple(capture.statements[script.revision]),
            render_problem=problem,
        )

    @contextmanager
    def _translated(self, scripts: Iterable[Script]) -> Iterator[None]:
        paths = {os.path.realpath(s.path) for s in scripts}
        try:
            yield
        except sa.exc.DBAPIError as exc:
            where = _revision_frame(exc.__traceback__, paths)
            file, line = where or (self.location, 1)
            statement = SqlStatement(
                sql=str(exc.statement or ""), masked="", file=file, line=line, end_line=line
            )
            raise translate_statement_error(exc, statement, use_position=False) from exc
        except (MigrationStatementError, MigrationSourceError):
            raise
        except Exception as exc:
            where = _revision_frame(exc.__traceback__, paths)
            file, line = where or (self.location, 1)
            raise MigrationSourceError(
                f"{file}:{line}",
                f"{type(exc).__name__}: {exc}",
                hint="fix the revision's upgrade()/downgrade() code",
            ) from exc

    def _run(
        self,
        connection: Connection,
        fn: _Fn,
        destination: str,
        scripts: list[Script],
        **options: Any,
    ) -> None:
        with (
            _ALEMBIC_LOCK,
            EnvironmentContext(self.config, self.script, fn=fn, destination_rev=destination) as env,
        ):
            env.configure(connection=connection, version_table=self.version_table, **options)
            with self._translated(scripts), env.begin_transaction():
                env.run_migrations()

    def _upgrade_fn(self) -> _Fn:
        def upgrade(rev: Any, _context: MigrationContext) -> Any:
            return self.script._upgrade_revs("heads", rev)

        return upgrade

    def apply_in_transaction(self, connection: Connection) -> list[Migration]:
        """Run every pending revision inside the caller's open transaction."""
        pending = self.pending(connection)
        scripts = [self._scripts[m.version] for m in pending]
        self._run(connection, self._upgrade_fn(), "heads", scripts)
        return pending

    def upgrade(self, engine: Engine) -> list[Migration]:
        """Upgrade to heads: one transaction, or one per revision when one needs autocommit."""
        with engine.connect() as connection:
            pending = self.pending(connection)
            dialect = connection.dialect.name
            version = connection.dialect.server_version_info or ()
            outside = any(
                runs_outside_transaction(s, dialect, version) for m in pending for s in m.statements
            )
            connection.rollback()  # end the reads' implicit transaction
            scripts = [self._scripts[m.version] for m in pending]
            if not outside:
                with connection.begin():
                    self._run(connection, self._upgrade_fn(), "heads", scripts)
            else:
                self._run(
                    connection, self._upgrade_fn(), "heads", scripts, transaction_per_migration=True
                )
                connection.commit()
            return pending

    def downgrade(self, engine: Engine, to: MigrationState) -> None:
        """Downgrade until the database is at the revision recorded in `to` (or base)."""
        if len(to.applied) > 1:
            raise MigrationSourceError(
                self.location, f"cannot downgrade to several heads ({', '.join(to.applied)})"
            )
        target = to.applied[0] if to.applied else "base"

        def downgrade(rev: Any, _context: MigrationContext) -> Any:
            return self.script._downgrade_revs(target, rev)

        with engine.connect() as connection:
            self._heads(connection)  # fails early on an unreadable version table
            connection.rollback()
            self._run(connection, downgrade, target, list(self._scripts.values()))
            connection.commit()
            if target == "base" and not to.tracked:
                self._drop_empty_version_table(connection)

    def _drop_empty_version_table(self, connection: Connection) -> None:
        # Back at base of a database that had no version table, the empty table is all
        # that is left of the upgrade: drop it so the schema is exactly as it was.
        table = sa.table(self.version_table, sa.column("version_num"))
        with connection.begin():
            if not sa.inspect(connection).has_table(self.version_table):
                return
            if connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0:
                table_name = connection.dialect.identifier_preparer.quote(self.version_table)
                connection.exec_driver_sql(f"DROP TABLE {table_name}")
