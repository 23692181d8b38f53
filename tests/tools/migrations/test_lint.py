"""The lint of risky operations: each rule, its line, and what it must not report."""

from __future__ import annotations

from devora.tools import Level
from devora.tools.migrations import (
    TOOL,
    advances_sequences,
    lint_statements,
    runs_outside_transaction,
    split_sql,
)


def _rules(text: str, dialect: str = "postgresql") -> list[tuple[str, int]]:
    findings = lint_statements(split_sql(text, file="0002_x.sql"), dialect)
    assert all(f.tool == TOOL and f.file == "0002_x.sql" for f in findings)
    return [(f.rule, f.line or 0) for f in findings]


def test_each_risky_operation_is_reported_at_its_line() -> None:
    text = """-- risky
DROP TABLE legacy;
ALTER TABLE users DROP COLUMN nickname;
ALTER TABLE users
  ADD COLUMN tenant_id integer NOT NULL;
CREATE INDEX ix_users_email ON users (email);
ALTER TABLE users RENAME TO members;
ALTER TABLE members RENAME COLUMN name TO full_name;
"""
    assert _rules(text) == [
        ("drop-table", 2),
        ("drop-column", 3),
        ("add-not-null-without-default", 4),
        ("index-not-concurrent", 6),
        ("rename-table", 7),
        ("rename-column", 8),
    ]


def test_levels_and_messages_name_the_table() -> None:
    findings = lint_statements(
        split_sql("ALTER TABLE public.users ADD COLUMN n int NOT NULL;"), "postgresql"
    )
    (finding,) = findings
    assert finding.level is Level.ERROR
    assert "users.n" in finding.message


def test_safe_forms_are_not_reported() -> None:
    text = """
CREATE TABLE fresh (id int);
ALTER TABLE fresh ADD COLUMN must int NOT NULL;
CREATE INDEX ix_fresh ON fresh (must);
CREATE INDEX CONCURRENTLY ix_users_email ON users (email);
ALTER TABLE users ADD COLUMN flag boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN note text;
ALTER TABLE users DROP CONSTRAINT users_note_check;
ALTER TABLE users ADD CONSTRAINT uq UNIQUE (email);
ALTER TABLE users ALTER COLUMN note SET NOT NULL;
INSERT INTO audit (message) VALUES ('DROP TABLE users; ALTER TABLE x RENAME TO y');
-- DROP TABLE users;
"""
    assert _rules(text) == []


def test_non_concurrent_index_is_only_a_postgresql_concern() -> None:
    assert _rules("CREATE INDEX ix ON users (email);", dialect="sqlite") == []
    assert _rules('CREATE UNIQUE INDEX ix ON "Users" (email);') == [("index-not-concurrent", 1)]


def test_several_actions_in_one_alter_table_are_each_checked() -> None:
    rules = _rules("ALTER TABLE t DROP COLUMN a, ADD COLUMN b int NOT NULL, RENAME c TO d;")
    assert [r for r, _ in rules] == [
        "drop-column",
        "add-not-null-without-default",
        "rename-column",
    ]
    assert _rules("ALTER TABLE t RENAME c TO d;") == [("rename-column", 1)]


def test_statements_that_cannot_run_in_a_transaction() -> None:
    def outside(sql: str, dialect: str = "postgresql", version: tuple[int, ...] = (15,)) -> bool:
        (statement,) = split_sql(sql)
        return runs_outside_transaction(statement, dialect, version)

    assert outside("CREATE INDEX CONCURRENTLY ix ON t (a)")
    assert outside("vacuum analyze t")
    assert outside("VACUUM", dialect="sqlite")
    assert not outside("CREATE INDEX ix ON t (a)")
    assert not outside("ALTER TYPE mood ADD VALUE 'meh'")
    assert outside("ALTER TYPE mood ADD VALUE 'meh'", version=(11, 5))
    assert not outside("SELECT 'VACUUM'")


def test_sequence_moves_on_existing_tables_are_detected_on_postgresql() -> None:
    def moves(sql: str, dialect: str = "postgresql") -> bool:
        return advances_sequences(split_sql(sql), dialect)

    assert moves("INSERT INTO users (name) VALUES ('a');")
    assert moves("UPDATE users SET id = nextval('users_id_seq');")
    assert moves("ALTER SEQUENCE users_id_seq RESTART WITH 10;")
    assert not moves("CREATE TABLE t (id serial PRIMARY KEY);\nINSERT INTO t DEFAULT VALUES;")
    assert not moves("UPDATE users SET name = 'nextval(x)';")
    assert not moves("INSERT INTO users (name) VALUES ('a');", dialect="sqlite")
