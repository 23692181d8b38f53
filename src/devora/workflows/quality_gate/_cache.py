"""Result caching: a check's result is reused while its files, tool and config are unchanged.

The key of a result covers the project's tree (file names and contents), the check, its
executable and that executable's version, the packages of the project's virtualenv, the
gate's budgets (for asset-size) and the code of Devora's check adapters and impact analysis.
Only results of checks that ran (passed or failed) are kept: a tool that crashed or was
missing is asked again.

Tool versions are remembered on disk, keyed by what identifies an installed tool (its real
path, size and mtime, and for a Python script the packages of its interpreter), because
asking `mypy --version` or `pip-audit --version` costs more than a cached run should.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

import devora
import devora.tools.checks as checks_package
import devora.tools.impact as impact_package
from devora.private_files import make_private_dir, write_private
from devora.secrets import redact_value
from devora.tools.checks import (
    Check,
    CheckResult,
    CheckStatus,
    ProjectProfile,
    project_files,
    tool_version,
    venv_packages,
)
from devora.workflows.quality_gate._config import GateConfig

__all__ = [
    "ResultCache",
    "default_cache_dir",
    "devora_home",
    "fingerprint_files",
    "fingerprint_tree",
    "tree_digest",
]

_CACHEABLE = (CheckStatus.PASSED, CheckStatus.FAILED)
MAX_ENTRIES = 500
_adapters_digest: str | None = None


def devora_home() -> Path:
    """DEVORA_HOME: where the store, the artifacts and the cache live."""
    from devora.store import resolve_store_location

    return resolve_store_location().home


def default_cache_dir() -> Path:
    """Where the gate keeps results: DEVORA_HOME/cache/quality-gate."""
    return devora_home() / "cache" / "quality-gate"


async def fingerprint_tree(root: Path, excluded: Sequence[Path] = ()) -> str:
    """A sha256 over the project's files (tools' view: git's, or a walk), without `excluded`.

    What Devora itself writes (its home when it is inside the project, --report-dir) is left
    out, or every run would change the tree it is about to look up.
    """
    return tree_digest(await fingerprint_files(root, excluded))


async def fingerprint_files(root: Path, excluded: Sequence[Path] = ()) -> dict[str, str]:
    """Each of the project's files (as fingerprint_tree sees them) -> the sha256 of its bytes."""
    prefixes = []
    for path in excluded:
        try:
            prefixes.append(path.resolve().relative_to(root).as_posix() + "/")
        except ValueError:
            continue  # outside the project: not in its files anyway
    names = [
        name for name in await project_files(root) if not any(name.startswith(p) for p in prefixes)
    ]
    return await asyncio.to_thread(_digest_files, root, names)


def tree_digest(files: dict[str, str]) -> str:
    """One sha256 over the files' names and digests."""
    return _digest([f"{name}\0{digest}" for name, digest in sorted(files.items())])


class ResultCache:
    """Check results on disk, one JSON file per key."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def key(
        self, check: Check, profile: ProjectProfile, tree: str, config: GateConfig
    ) -> str:
        """The key of the check's result for this tree, tool and config."""
        return self.key_for(await self.inputs(check, profile, config), tree)

    @staticmethod
    def key_for(inputs: list[str], tree: str) -> str:
        """The key of a result for a check's inputs and a tree."""
        return _digest([*inputs, tree])

    async def inputs(self, check: Check, profile: ProjectProfile, config: GateConfig) -> list[str]:
        """What a check's result depends on besides the files: Devora, the tool, the
        project's environment and the gate's config (the key without the tree)."""
        executable = profile.tool(check.tool)
        version = await tool_version(executable, profile.root) if executable else None
        parts = [
            devora.__version__,
            _adapters(),
            check.name,
            check.tool,
            str(executable),
            str(version),
            *venv_packages(profile.python_venv),
        ]
        if profile.python_env is not None:  # where pytest and mypy run, and what it holds
            parts += [profile.python_env.describe(), *venv_packages(profile.python_env.prefix)]
        if check.name == "asset-size":
            parts.append(json.dumps([b.model_dump(mode="json") for b in config.budgets]))
        return parts

    def load(self, key: str) -> CheckResult | None:
        """The result stored under key, or None (a damaged entry counts as none)."""
        path = self.directory / f"{key}.json"
        try:
            result = CheckResult.model_validate_json(path.read_bytes())
        except (OSError, ValidationError, ValueError):
            return None
        path.touch()  # recently used: kept longest
        return result

    def save(self, key: str, result: CheckResult) -> None:
        """Keep the result of a check that ran; others are not kept."""
        if result.status not in _CACHEABLE:
            return
        make_private_dir(self.directory)
        target = self.directory / f"{key}.json"
        partial = target.with_name(f".{key}.{os.getpid()}.partial")
        write_private(partial, json.dumps(redact_value(result.model_dump(mode="json"))))
        partial.replace(target)
        self._prune()

    def _prune(self) -> None:
        # Each changed tree adds entries; keep the newest, so the cache cannot grow forever.
        entries = list(self.directory.glob("*.json"))
        if len(entries) <= MAX_ENTRIES:
            return
        by_age = sorted(entries, key=lambda path: path.stat().st_mtime)
        for path in by_age[: len(entries) - MAX_ENTRIES]:
            path.unlink(missing_ok=True)


def _adapters() -> str:
    """A digest of the check adapters' code: a new parser must not reuse old results."""
    global _adapters_digest
    if _adapters_digest is None:
        folders = [Path(checks_package.__file__).parent, impact_package.plugin_directory().parent]
        paths = sorted(path for folder in folders for path in folder.rglob("*.py"))
        _adapters_digest = _digest([path.read_text(encoding="utf-8") for path in paths])
    return _adapters_digest


def _digest_files(root: Path, names: list[str]) -> dict[str, str]:
    files = {}
    for name in names:
        try:
            files[name] = hashlib.sha256((root / name).read_bytes()).hexdigest()
        except OSError:
            files[name] = "unreadable"
    return files


def _digest(parts: list[str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()
