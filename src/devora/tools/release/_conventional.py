"""Conventional Commits 1.0.0: type, scope, ``!``, description and BREAKING CHANGE footers."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from devora.tools.release._commits import Commit

__all__ = ["ConventionalCommit", "parse_conventional", "split_conventional"]

_HEADER = re.compile(
    r"(?P<type>[A-Za-z][A-Za-z0-9_-]*)"
    r"(?:\((?P<scope>[^()\r\n]*)\))?"
    r"(?P<bang>!)?"
    r":[ \t]+(?P<description>\S.*)"
)
# A footer line: "Token: value" or "Token #value"; tokens use - for spaces, except the
# one spelled with a space, BREAKING CHANGE.
_FOOTER = re.compile(
    r"(?P<token>BREAKING[ -]CHANGE|[A-Za-z][A-Za-z0-9-]*)(?:: | #|:$)(?P<value>.*)"
)
_BREAKING = re.compile(r"BREAKING[ -]CHANGE")


class ConventionalCommit(BaseModel):
    """A commit whose subject follows the Conventional Commits convention."""

    model_config = ConfigDict(frozen=True)

    commit: Commit
    type: str
    scope: str | None = None
    description: str
    breaking: bool = False
    breaking_notes: tuple[str, ...] = ()

    @property
    def hash(self) -> str:
        """The commit's full hash."""
        return self.commit.hash


def parse_conventional(commit: Commit) -> ConventionalCommit | None:
    """Parse a commit's message; None when its subject does not follow the convention."""
    match = _HEADER.fullmatch(commit.subject.strip())
    if match is None:
        return None
    scope = match["scope"]
    notes = _breaking_notes(commit.body)
    bang = match["bang"] is not None
    return ConventionalCommit(
        commit=commit,
        # The spec makes types case-insensitive; group Feat and feat together.
        type=match["type"].lower(),
        scope=scope.strip() or None if scope is not None else None,
        description=match["description"].strip(),
        breaking=bang or bool(notes),
        breaking_notes=tuple(note for note in notes if note),
    )


def _breaking_notes(body: str) -> list[str]:
    """The text of each BREAKING CHANGE footer (maybe empty), continuation lines included."""
    notes: list[list[str]] = []
    current: list[str] | None = None
    for line in body.splitlines():
        footer = _FOOTER.fullmatch(line)
        if footer is not None:
            if _BREAKING.fullmatch(footer["token"]):
                current = [footer["value"].strip()]
                notes.append(current)
            else:
                current = None
        elif current is not None:
            if line.strip():
                current.append(line.strip())
            else:
                current = None
    return [" ".join(part for part in note if part) for note in notes]


def split_conventional(
    commits: Iterable[Commit],
) -> tuple[list[ConventionalCommit], list[Commit]]:
    """Split commits into parsed conventional ones and the ones that do not follow it."""
    parsed: list[ConventionalCommit] = []
    others: list[Commit] = []
    for commit in commits:
        conventional = parse_conventional(commit)
        if conventional is None:
            others.append(commit)
        else:
            parsed.append(conventional)
    return parsed, others
