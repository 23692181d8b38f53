"""The safe fixers: the tools' own fixes (ruff --fix, ruff format, eslint --fix, prettier --write).

Each returns the files it changed; the caller computes a diff if it wants one. They write to
the project, so the quality gate calls them only when asked to fix.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from devora.errors import ToolNotInstalledError
from devora.tools import Finding
from devora.tools._subprocess import ProcessOutput, ToolTimeoutError, tail
from devora.tools.checks._base import ToolCheck, ToolCrashError, ToolOutputError
from devora.tools.checks._errors import ToolFailedError
from devora.tools.checks._eslint import EslintCheck, parse_eslint_json
from devora.tools.checks._prettier import PrettierCheck
from devora.tools.checks._profile import ProjectProfile
from devora.tools.checks._ruff import RuffCheck, RuffFormatCheck
from devora.tools.checks._ruff_target import ruff_target_args

__all__ = ["FixResult", "fix_eslint", "fix_prettier", "fix_ruff_check", "fix_ruff_format"]

_TIMEOUT = 300.0


class FixResult(BaseModel):
    """What a fixer did: the files it changed, relative to the project root."""

    model_config = ConfigDict(frozen=True)

    tool: str
    fixer: str
    changed_files: tuple[str, ...]
    duration: float


async def fix_ruff_check(profile: ProjectProfile, *, time_limit: float = _TIMEOUT) -> FixResult:
    """Apply ruff's safe lint fixes (`ruff check --fix`)."""
    started = time.monotonic()
    check = RuffCheck(timeout=time_limit)
    executable = _executable(check, profile)
    candidates = [f.file for f in await _findings(check, executable, profile) if f.fixable]
    argv = [str(executable), "check", "--fix", "--output-format", "json", "--no-cache"]
    argv += [*ruff_target_args(profile.root, profile.pyproject), "."]
    return await _apply(check, "ruff check --fix", argv, profile, candidates, started)


async def fix_ruff_format(profile: ProjectProfile, *, time_limit: float = _TIMEOUT) -> FixResult:
    """Reformat the files `ruff format --check` lists (`ruff format`)."""
    started = time.monotonic()
    check = RuffFormatCheck(timeout=time_limit)
    executable = _executable(check, profile)
    candidates = [f.file for f in await _findings(check, executable, profile)]
    argv = [str(executable), "format", "--no-cache"]
    argv += [*ruff_target_args(profile.root, profile.pyproject), "."]
    return await _apply(check, "ruff format", argv, profile, candidates, started)


async def fix_eslint(profile: ProjectProfile, *, time_limit: float = _TIMEOUT) -> FixResult:
    """Apply ESLint's fixes (`eslint --fix`); the files it fixed are those its report rewrote."""
    started = time.monotonic()
    check = EslintCheck(timeout=time_limit)
    executable = _executable(check, profile)
    argv = [str(executable), "--fix", "-f", "json", "."]
    output = await _call(check, argv, profile)
    try:
        report = parse_eslint_json(output.stdout, profile.root)
    except ToolOutputError as error:
        raise ToolFailedError(
            "eslint", str(error), exit_code=output.exit_code, output_tail=tail(output.stdout)
        ) from error
    return FixResult(
        tool="eslint",
        fixer="eslint --fix",
        changed_files=tuple(report.fixed),
        duration=time.monotonic() - started,
    )


async def fix_prettier(profile: ProjectProfile, *, time_limit: float = _TIMEOUT) -> FixResult:
    """Rewrite the files `prettier --list-different` lists (`prettier --write`)."""
    started = time.monotonic()
    check = PrettierCheck(timeout=time_limit)
    executable = _executable(check, profile)
    candidates = [f.file for f in await _findings(check, executable, profile)]
    argv = [str(executable), "--write", "--", *(name for name in candidates if name)]
    return await _apply(check, "prettier --write", argv, profile, candidates, started)


def _executable(check: ToolCheck, profile: ProjectProfile) -> Path:
    executable = check.executable(profile)
    if executable is None:
        raise ToolNotInstalledError(check.tool, check.install)
    return executable


async def _findings(
    check: ToolCheck, executable: Path, profile: ProjectProfile
) -> Sequence[Finding]:
    try:
        outcome = await check.execute(executable, profile)
    except ToolCrashError as error:
        raise ToolFailedError(
            check.tool,
            error.reason,
            exit_code=error.tool_exit_code,
            output_tail=error.output_tail or "",
        ) from error
    except ToolTimeoutError as error:
        raise ToolFailedError(check.tool, str(error), exit_code=None, output_tail="") from error
    return outcome.findings


async def _call(check: ToolCheck, argv: Sequence[str], profile: ProjectProfile) -> ProcessOutput:
    try:
        return await check.call(argv, profile)
    except ToolCrashError as error:
        raise ToolFailedError(
            check.tool,
            error.reason,
            exit_code=error.tool_exit_code,
            output_tail=error.output_tail or "",
        ) from error
    except ToolTimeoutError as error:
        raise ToolFailedError(check.tool, str(error), exit_code=None, output_tail="") from error


async def _apply(
    check: ToolCheck,
    fixer: str,
    argv: Sequence[str],
    profile: ProjectProfile,
    candidates: Iterable[str | None],
    started: float,
) -> FixResult:
    files = sorted({name for name in candidates if name})
    before = _hashes(profile.root, files)
    if files:
        await _call(check, argv, profile)
    after = _hashes(profile.root, files)
    changed = tuple(name for name in files if before[name] != after[name])
    return FixResult(
        tool=check.tool, fixer=fixer, changed_files=changed, duration=time.monotonic() - started
    )


def _hashes(root: Path, files: Sequence[str]) -> dict[str, str | None]:
    digests: dict[str, str | None] = {}
    for name in files:
        path = root / name
        digests[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    return digests
