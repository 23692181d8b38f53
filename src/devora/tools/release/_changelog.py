"""Changelog sections in Markdown: grouped by type, breaking changes first, newest on top."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from devora.tools.release._commits import Commit
from devora.tools.release._conventional import ConventionalCommit
from devora.tools.release._errors import ChangelogError
from devora.tools.release._file_change import FileChange, read_text_or_none

__all__ = [
    "CHANGELOG_TITLE",
    "DEFAULT_SECTION_TITLES",
    "plan_changelog",
    "prepend_changelog",
    "render_changelog_section",
    "write_changelog",
]

CHANGELOG_TITLE = "# Changelog"

DEFAULT_SECTION_TITLES: Mapping[str, str] = {
    "feat": "Features",
    "fix": "Bug Fixes",
    "perf": "Performance",
    "refactor": "Refactoring",
    "revert": "Reverts",
    "docs": "Documentation",
    "build": "Build",
    "ci": "Continuous Integration",
    "test": "Tests",
    "style": "Style",
    "chore": "Chores",
}
_BREAKING_TITLE = "⚠ BREAKING CHANGES"
_OTHER_TITLE = "Other Changes"


def render_changelog_section(
    version: str,
    date: dt.date,
    commits: Sequence[ConventionalCommit],
    *,
    non_conventional: Sequence[Commit] = (),
    titles: Mapping[str, str] = DEFAULT_SECTION_TITLES,
) -> str:
    """The Markdown section for one release: ``## version (date)`` then one list per type."""
    lines = [f"## {version} ({date.isoformat()})", ""]
    breaking = [c for c in commits if c.breaking]
    if breaking:
        lines += [f"### {_BREAKING_TITLE}", ""]
        lines += [_breaking_entry(c) for c in breaking]
        lines.append("")
    groups: dict[str, list[ConventionalCommit]] = {}
    for commit in commits:
        groups.setdefault(commit.type, []).append(commit)
    # Known types in their conventional order, then unknown ones alphabetically.
    order = [t for t in titles if t in groups] + sorted(t for t in groups if t not in titles)
    for type_ in order:
        lines += [f"### {titles.get(type_, type_.capitalize())}", ""]
        lines += [_entry(c) for c in groups[type_]]
        lines.append("")
    if non_conventional:
        lines += [f"### {_OTHER_TITLE}", ""]
        lines += [f"- {c.subject} ({c.short_hash})" for c in non_conventional]
        lines.append("")
    if len(lines) == 2:
        lines += ["No changes.", ""]
    return "\n".join(lines)


def _entry(commit: ConventionalCommit) -> str:
    scope = f"**{commit.scope}:** " if commit.scope else ""
    return f"- {scope}{commit.description} ({commit.commit.short_hash})"


def _breaking_entry(commit: ConventionalCommit) -> str:
    scope = f"**{commit.scope}:** " if commit.scope else ""
    notes = " ".join(commit.breaking_notes) or commit.description
    return f"- {scope}{notes} ({commit.commit.short_hash})"


def prepend_changelog(existing: str, section: str, *, path: str = "CHANGELOG.md") -> str:
    """The changelog with section inserted above the newest release, below any preamble."""
    version = _section_version(section)
    if version is not None and re.search(
        rf"^## \[?{re.escape(version)}\]?(?:\s|$)", existing, flags=re.MULTILINE
    ):
        raise ChangelogError(path, f"it already has a section for {version}")
    body = section.strip("\n") + "\n"
    if not existing.strip():
        return f"{CHANGELOG_TITLE}\n\n{body}"
    first_release = re.search(r"^## ", existing, flags=re.MULTILINE)
    if first_release is None:
        # Only a title or preamble so far: the section goes after it.
        return existing.rstrip("\n") + "\n\n" + body
    head, tail = existing[: first_release.start()], existing[first_release.start() :]
    return f"{head}{body}\n{tail}"


def _section_version(section: str) -> str | None:
    match = re.match(r"\s*## \[?([^\s\]]+)", section)
    return match[1] if match else None


def plan_changelog(root: Path, path: str, section: str) -> FileChange:
    """The changelog file with section prepended, computed without writing (for a dry-run)."""
    existing = read_text_or_none(root / path)
    updated = prepend_changelog(existing or "", section, path=path)
    return FileChange(path=path, old_text=existing, new_text=updated)


def write_changelog(path: Path, section: str) -> str:
    """Prepend section to the changelog file (created if missing); return the new text."""
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    updated = prepend_changelog(existing, section, path=str(path))
    path.write_text(updated, encoding="utf-8")
    return updated
