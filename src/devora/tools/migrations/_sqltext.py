"""Splitting SQL text into statements that know their lines, for running and for linting."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

__all__ = ["SqlStatement", "split_sql"]

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_BLOCK_BODY = re.compile(
    r"^\s*CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?TRIGGER\b"  # SQLite trigger bodies
    r"|^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\b.*\bBEGIN\s+ATOMIC\b",  # PG 14+
    re.IGNORECASE | re.DOTALL,
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


class SqlStatement(BaseModel):
    """One SQL statement of a migration, with where it sits in its file."""

    model_config = ConfigDict(frozen=True)

    sql: str
    """The statement from its first token to before its `;` (comments inside kept)."""
    masked: str
    """The same text with comments and string contents blanked, for pattern checks."""
    file: str
    line: int
    end_line: int
    outside_transaction: bool = False
    """True when the source already runs it outside a transaction (Alembic autocommit_block)."""

    def line_at(self, position: int) -> int:
        """The file line of a 1-based character position in `sql` (as drivers report)."""
        return self.line + self.sql[: max(position - 1, 0)].count("\n")


def split_sql(text: str, *, file: str = "<sql>", first_line: int = 1) -> list[SqlStatement]:
    """Split SQL into statements, honouring quotes, comments, dollar quotes and triggers."""
    statements: list[SqlStatement] = []
    masked = list(text)
    start: int | None = None  # index of the current statement's first significant character
    i = 0
    n = len(text)

    def blank(a: int, b: int) -> None:
        for k in range(a, b):
            if masked[k] != "\n":
                masked[k] = " "

    def finish(end: int) -> None:
        nonlocal start
        if start is not None:
            sql = text[start:end].rstrip()
            line = first_line + text.count("\n", 0, start)
            statements.append(
                SqlStatement(
                    sql=sql,
                    masked="".join(masked[start : start + len(sql)]),
                    file=file,
                    line=line,
                    end_line=line + sql.count("\n"),
                )
            )
        start = None

    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch == "-" and nxt == "-":
            end = text.find("\n", i)
            end = n if end == -1 else end
            blank(i, end)
            i = end
            continue
        if ch == "/" and nxt == "*":
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
            continue
        if ch.isspace():
            i += 1
            continue
        if ch == ";" and start is None:  # an empty statement
            i += 1
            continue
        if start is None:
            start = i
        if ch == ";":
            if _inside_block_body(masked, start, i):
                i += 1
                continue
            finish(i)
            i += 1
            continue
        if ch == "'":
            backslash = i > 0 and text[i - 1] in "eE" and (i < 2 or not text[i - 2].isalnum())
            j = i + 1
            while j < n:
                if backslash and text[j] == "\\":
                    j += 2
                    continue
                if text[j] == "'":
                    if j + 1 < n and text[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            blank(i + 1, min(j, n))
            i = j + 1
            continue
        if ch in '"`[':
            close = {'"': '"', "`": "`", "[": "]"}[ch]
            j = text.find(close, i + 1)
            i = n if j == -1 else j + 1
            continue
        if ch == "$" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            match = _DOLLAR_TAG.match(text, i)
            if match:
                tag = match.group(0)
                j = text.find(tag, match.end())
                end = n if j == -1 else j
                blank(match.end(), end)
                i = n if j == -1 else j + len(tag)
                continue
        i += 1
    finish(n)
    return statements


def _inside_block_body(masked: list[str], start: int, semicolon: int) -> bool:
    """True when a `;` sits inside a BEGIN ... END body (SQLite trigger, PG BEGIN ATOMIC)."""
    so_far = "".join(masked[start:semicolon])
    if not _BLOCK_BODY.match(so_far):
        return False
    words = [w.upper() for w in _WORD.findall(so_far)]
    if "BEGIN" not in words:
        return False
    depth = 0
    for word in words[words.index("BEGIN") :]:
        if word in ("BEGIN", "CASE"):
            depth += 1
        elif word == "END":
            depth -= 1
    return depth > 0
