"""The coding agent's tools: list, read, search and write files, run an allowed command."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from devora.agents._commands import CommandPolicy, CommandResult, run_allowed_command
from devora.agents._errors import ToolRefused
from devora.agents._paths import resolve_inside
from devora.llm import ToolCall, ToolSpec
from devora.tools.git import git_output, split_nul

__all__ = ["TOOL_SPECS", "Toolbox"]

MAX_READ_CHARS = 100_000
MAX_WRITE_CHARS = 1_000_000
MAX_LISTED = 500
MAX_MATCHES = 100
MAX_SEARCHED_FILE_BYTES = 1_000_000


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


_PATH = {"type": "string", "description": "path relative to the repository root"}

TOOL_SPECS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="list_files",
        description="List the repository's files (tracked and new, not ignored), "
        "optionally under a directory.",
        parameters=_schema({"directory": {**_PATH, "description": "directory to list"}}, []),
    ),
    ToolSpec(
        name="read_file",
        description="Read a text file of the repository.",
        parameters=_schema({"path": _PATH}, ["path"]),
    ),
    ToolSpec(
        name="search",
        description="Search the repository's files for a substring (or a regular expression "
        "with regex=true); answers path:line: text.",
        parameters=_schema(
            {
                "pattern": {"type": "string"},
                "regex": {"type": "boolean", "default": False},
                "directory": {**_PATH, "description": "only search under this directory"},
            },
            ["pattern"],
        ),
    ),
    ToolSpec(
        name="write_file",
        description="Create or replace a file of the repository with the given content.",
        parameters=_schema({"path": _PATH, "content": {"type": "string"}}, ["path", "content"]),
    ),
    ToolSpec(
        name="run_command",
        description="Run an allowed command (tests, linters) in the repository root, given as "
        'an argv list, e.g. ["pytest", "-q"]. Answers the exit code and output.',
        parameters=_schema(
            {"argv": {"type": "array", "items": {"type": "string"}}},
            ["argv"],
        ),
    ),
)


class Toolbox:
    """Runs the model's tool calls inside one worktree; refusals become the tool's answer."""

    def __init__(self, root: Path, commands: CommandPolicy) -> None:
        self.root = root
        self.commands = commands
        self.written: set[str] = set()
        self.command_results: list[CommandResult] = []
        self._handlers: dict[str, Callable[[dict[str, Any]], Awaitable[str]]] = {
            "list_files": self._list_files,
            "read_file": self._read_file,
            "search": self._search,
            "write_file": self._write_file,
            "run_command": self._run_command,
        }

    async def execute(self, call: ToolCall) -> str:
        """Run one tool call and return the text for the model (an error text on refusal)."""
        handler = self._handlers.get(call.name)
        if handler is None:
            return f"error: unknown tool {call.name!r}; tools: {', '.join(self._handlers)}"
        if call.arguments_error:
            return f"error: {call.arguments_error}"
        try:
            return await handler(call.arguments)
        except ToolRefused as refusal:
            return f"error: {refusal}"

    async def _list_files(self, arguments: dict[str, Any]) -> str:
        files = await self._files(arguments.get("directory"))
        if not files:
            return "(no files)"
        shown = files[:MAX_LISTED]
        more = f"\n[... {len(files) - MAX_LISTED} more]" if len(files) > MAX_LISTED else ""
        return "\n".join(shown) + more

    async def _read_file(self, arguments: dict[str, Any]) -> str:
        path = resolve_inside(self.root, _string(arguments, "path"))
        return _read_text(path, arguments["path"])

    async def _search(self, arguments: dict[str, Any]) -> str:
        pattern = _string(arguments, "pattern")
        if arguments.get("regex"):
            try:
                matcher = re.compile(pattern)
            except re.error as error:
                raise ToolRefused(f"invalid regular expression: {error}") from error
        else:
            matcher = re.compile(re.escape(pattern))
        files = await self._files(arguments.get("directory"))
        return _search_files(self.root, files, matcher)

    async def _write_file(self, arguments: dict[str, Any]) -> str:
        name = _string(arguments, "path")
        content = arguments.get("content")
        if not isinstance(content, str):
            raise ToolRefused("content must be a string")
        if len(content) > MAX_WRITE_CHARS:
            raise ToolRefused(f"content is larger than {MAX_WRITE_CHARS} characters")
        path = resolve_inside(self.root, name)
        _write_text(path, content)
        relative = path.relative_to(self.root.resolve()).as_posix()
        self.written.add(relative)
        return f"wrote {relative} ({len(content)} characters)"

    async def _run_command(self, arguments: dict[str, Any]) -> str:
        argv = arguments.get("argv")
        if isinstance(argv, str):
            raise ToolRefused('argv must be a list of strings, e.g. ["pytest", "-q"]')
        if not isinstance(argv, list):
            raise ToolRefused("argv is required")
        if len(self.command_results) >= self.commands.max_commands:
            raise ToolRefused(
                f"refused: the limit of {self.commands.max_commands} commands is used"
            )
        result = await run_allowed_command(argv, self.root, self.commands)
        self.command_results.append(result)
        return result.for_model()

    async def _files(self, directory: object) -> list[str]:
        args = ["ls-files", "--cached", "--others", "--exclude-standard", "-z"]
        if directory not in (None, "", "."):
            if not isinstance(directory, str):
                raise ToolRefused("directory must be a string")
            target = resolve_inside(self.root, directory)
            args += ["--", target.relative_to(self.root.resolve()).as_posix()]
        return sorted(set(split_nul(await git_output(self.root, args))))


def _string(arguments: dict[str, Any], name: str) -> str:
    value = arguments.get(name)
    if not isinstance(value, str) or not value:
        raise ToolRefused(f"{name} is required (a string); got {json.dumps(value)}")
    return value


def _read_text(path: Path, name: str) -> str:
    if not path.is_file():
        raise ToolRefused(f"{name} is not a file")
    text = path.read_text(encoding="utf-8", errors="replace")
    if len(text) > MAX_READ_CHARS:
        return text[:MAX_READ_CHARS] + f"\n[... cut: the file has {len(text)} characters]"
    return text


def _write_text(path: Path, content: str) -> None:
    if path.is_dir():
        raise ToolRefused("that path is a directory")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")


def _search_files(root: Path, files: list[str], matcher: re.Pattern[str]) -> str:
    matches: list[str] = []
    for name in files:
        try:
            path = resolve_inside(root, name)
        except ToolRefused:
            continue  # a tracked symlink that points out of the worktree is not followed
        if not path.is_file() or path.stat().st_size > MAX_SEARCHED_FILE_BYTES:
            continue
        raw = path.read_bytes()
        if b"\0" in raw[:8192]:
            continue  # binary
        for number, line in enumerate(raw.decode(errors="replace").splitlines(), start=1):
            if matcher.search(line):
                matches.append(f"{name}:{number}: {line[:300]}")
                if len(matches) >= MAX_MATCHES:
                    return "\n".join(matches) + f"\n[stopped at {MAX_MATCHES} matches]"
    return "\n".join(matches) or "(no matches)"
