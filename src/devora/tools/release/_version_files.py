"""Bumping the version written in project files, computed first (for dry-run diffs), then
written.

Supported: ``[project].version`` in pyproject.toml, the top-level ``"version"`` of
package.json, and a ``__version__ = "..."`` line in any other (Python) file. Edits are
textual, so formatting and comments are kept; the result is re-parsed to prove it.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from devora.tools.release._errors import VersionFileError
from devora.tools.release._file_change import FileChange

__all__ = [
    "VersionFileChange",
    "VersionFileKind",
    "bump_version_text",
    "plan_version_files",
    "version_file_kind",
]


class VersionFileKind(StrEnum):
    """How a file holds its version."""

    PYPROJECT = "pyproject"
    PACKAGE_JSON = "package_json"
    DUNDER_VERSION = "dunder_version"


class VersionFileChange(FileChange):
    """One file's version bump: its contents before and after, and the versions."""

    kind: VersionFileKind
    old_version: str
    new_version: str


def version_file_kind(path: str | Path) -> VersionFileKind:
    """The kind of a version file, from its name."""
    name = Path(path).name
    if name == "pyproject.toml":
        return VersionFileKind.PYPROJECT
    if name == "package.json":
        return VersionFileKind.PACKAGE_JSON
    return VersionFileKind.DUNDER_VERSION


def bump_version_text(
    text: str, kind: VersionFileKind, new_version: str, *, path: str = "<text>"
) -> tuple[str, str]:
    """Return (old version, new text) for a file's contents; VersionFileError if none."""
    if kind is VersionFileKind.PYPROJECT:
        return _bump_pyproject(text, new_version, path)
    if kind is VersionFileKind.PACKAGE_JSON:
        return _bump_package_json(text, new_version, path)
    return _bump_dunder(text, new_version, path)


def plan_version_files(
    root: Path, paths: Sequence[str], new_version: str
) -> list[VersionFileChange]:
    """Compute each file's bumped contents without writing anything (write them with
    ``write_file_changes``)."""
    changes = []
    for relative in paths:
        file = root / relative
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise VersionFileError(relative, f"cannot read it ({error})") from error
        kind = version_file_kind(relative)
        old, new_text = bump_version_text(text, kind, new_version, path=relative)
        changes.append(
            VersionFileChange(
                path=relative,
                kind=kind,
                old_version=old,
                new_version=new_version,
                old_text=text,
                new_text=new_text,
            )
        )
    return changes


# -- pyproject.toml ----------------------------------------------------------------------

_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_VERSION = re.compile(r"""^(\s*version\s*=\s*)(["'])([^"'\n]*)\2""")


def _bump_pyproject(text: str, new_version: str, path: str) -> tuple[str, str]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise VersionFileError(path, f"it is not valid TOML ({error})") from error
    project = data.get("project")
    if not isinstance(project, dict):
        raise VersionFileError(path, "it has no [project] table")
    if "version" not in project:
        dynamic = "version" in project.get("dynamic", [])
        problem = "[project].version is dynamic" if dynamic else "[project] has no version"
        raise VersionFileError(
            path,
            problem,
            hint="bump the file the build backend reads the version from instead "
            "(e.g. the __version__ line)"
            if dynamic
            else 'add version = "0.0.0" to [project]',
        )
    old = str(project["version"])
    lines = text.splitlines(keepends=True)
    table: str | None = None
    for index, line in enumerate(lines):
        header = _TABLE.match(line)
        if header:
            table = header[1].replace(" ", "")
            continue
        match = _TOML_VERSION.match(line)
        if table == "project" and match and match[3] == old:
            lines[index] = f"{match[1]}{match[2]}{new_version}{match[2]}{line[match.end() :]}"
            break
    else:
        raise VersionFileError(path, 'the [project] version is not written as version = "..."')
    new_text = "".join(lines)
    if tomllib.loads(new_text)["project"]["version"] != new_version:
        raise VersionFileError(path, "the edited file does not hold the new version")
    return old, new_text


# -- package.json ------------------------------------------------------------------------

_JSON_VERSION = re.compile(r'"version"(\s*:\s*)"((?:[^"\\]|\\.)*)"')


def _bump_package_json(text: str, new_version: str, path: str) -> tuple[str, str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise VersionFileError(path, f"it is not valid JSON ({error})") from error
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        raise VersionFileError(path, 'it has no top-level "version" string')
    old = data["version"]
    top_level = _top_level_string_starts(text)
    for match in _JSON_VERSION.finditer(text):
        if match.start() in top_level:
            new_text = (
                f'{text[: match.start()]}"version"{match[1]}'
                f"{json.dumps(new_version)}{text[match.end() :]}"
            )
            break
    else:  # pragma: no cover - json.loads found it, so the scan does too
        raise VersionFileError(path, 'the top-level "version" was not found')
    if json.loads(new_text)["version"] != new_version:
        raise VersionFileError(path, "the edited file does not hold the new version")
    return old, new_text


def _top_level_string_starts(text: str) -> set[int]:
    """Offsets of the opening quote of every string directly inside the top-level object."""
    starts: set[int] = set()
    depth = 0
    in_string = escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
            if depth == 1:
                starts.add(index)
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
    return starts


# -- __version__ = "..." -----------------------------------------------------------------

_DUNDER = re.compile(
    r"""^(?P<lead>__version__\s*(?::\s*str\s*)?=\s*)(?P<q>["'])(?P<v>[^"'\n]*)(?P=q)""",
    re.MULTILINE,
)


def _bump_dunder(text: str, new_version: str, path: str) -> tuple[str, str]:
    matches = list(_DUNDER.finditer(text))
    if not matches:
        raise VersionFileError(path, 'it has no `__version__ = "..."` line')
    if len(matches) > 1:
        lines = ", ".join(str(text.count("\n", 0, m.start()) + 1) for m in matches)
        raise VersionFileError(path, f"it has several __version__ lines (lines {lines})")
    match = matches[0]
    quote = match["q"]
    new_text = f"{text[: match.start()]}{match['lead']}{quote}{new_version}{quote}"
    return match["v"], new_text + text[match.end() :]
