"""Splitting SQL into statements with their lines."""

from __future__ import annotations

from devora.tools.migrations import split_sql


def test_statements_know_their_first_and_last_line() -> None:
    text = "-- header\n\nCREATE TABLE a (\n  x int\n);\nINSERT INTO a VALUES (1);\n"
    statements = split_sql(text, file="0001_a.sql")
    assert [(s.line, s.end_line) for s in statements] == [(3, 5), (6, 6)]
    assert statements[0].sql == "CREATE TABLE a (\n  x int\n)"
    assert statements[0].file == "0001_a.sql"


def test_semicolons_inside_quotes_comments_and_dollar_quotes_do_not_split() -> None:
    text = (
        "INSERT INTO t VALUES ('a;b', 'it''s;');\n"
        "/* a ; comment /* nested ; */ still ; */\n"
        'SELECT "odd;name" FROM t;\n'
        "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n"
        "SELECT E'back\\'slash;';\n"
        "SELECT $$;$$"
    )
    statements = split_sql(text)
    assert len(statements) == 5
    assert statements[2].sql.endswith("LANGUAGE sql")
    assert statements[3].sql == "SELECT E'back\\'slash;'"
    assert statements[4].line == 6 and statements[4].sql == "SELECT $$;$$"


def test_masked_text_blanks_strings_and_comments_but_keeps_positions() -> None:
    (statement,) = split_sql("SELECT 'DROP TABLE x' /* DROP TABLE y */ FROM t")
    assert "DROP" not in statement.masked
    assert len(statement.masked) == len(statement.sql)


def test_sqlite_trigger_body_is_one_statement() -> None:
    text = (
        "CREATE TRIGGER tr AFTER INSERT ON a BEGIN\n"
        "  UPDATE a SET x = CASE WHEN 1 THEN 'x' END;\n"
        "  DELETE FROM b;\n"
        "END;\n"
        "SELECT 1;"
    )
    statements = split_sql(text)
    assert [(s.line, s.end_line) for s in statements] == [(1, 4), (5, 5)]


def test_only_comments_and_blank_lines_make_no_statement() -> None:
    assert split_sql("-- nothing\n\n/* here */\n;\n") == []


def test_line_at_maps_a_driver_position_to_a_file_line() -> None:
    (statement,) = split_sql("\n\nCREATE TABLE t (\n  x int,\n  y intt\n)")
    position = statement.sql.index("intt") + 1
    assert statement.line_at(position) == 5


def test_postgresql_begin_atomic_body_is_one_statement() -> None:
    text = (
        "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\n"
        "BEGIN ATOMIC\n"
        "  SELECT a + b;\n"
        "END;\n"
        "SELECT add(1, 2);"
    )
    statements = split_sql(text)
    assert [(s.line, s.end_line) for s in statements] == [(1, 4), (5, 5)]
