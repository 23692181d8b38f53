"""Baselines: the last result of each check on a project, kept to re-check only a change.

A baseline is kept per project and per check *inputs* (Devora's version and adapters, the
tool and its version, the project's environment, the gate's config: the cache key without
the tree), so a baseline left by another Devora, tool, environment or config is never
found, and the run is a full one. It holds the run that produced it, the digest of every
file it saw, the result, and for the tests the impact analysis (and coverage data file,
and the measured Python files as they were, to tell which functions a change touched).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from devora.private_files import make_private_dir, write_private
from devora.secrets import redact_value
from devora.tools.checks import CheckResult, CheckStatus
from devora.tools.impact import TestImpact

__all__ = ["Baseline", "BaselineStore", "FileChanges", "file_changes"]

_COVERAGE = "coverage.sqlite"
_SOURCES = "sources"
MAX_TREES = 50
MAX_BASELINES = 200


class Baseline(BaseModel):
    """The last result of a check that ran on a project, and the files it saw."""

    model_config = ConfigDict(frozen=True)

    run: str | None = Field(description="the run whose result this is")
    files: dict[str, str] = Field(description="project file -> sha256 of its bytes")
    result: CheckResult
    impact: TestImpact | None = None


class FileChanges(BaseModel):
    """The files changed, added and deleted between a baseline and the tree now."""

    model_config = ConfigDict(frozen=True)

    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()

    @property
    def touched(self) -> tuple[str, ...]:
        """Every file whose findings cannot be reused."""
        return tuple(sorted({*self.changed, *self.added, *self.deleted}))

    @property
    def present(self) -> tuple[str, ...]:
        """The changed and added files (those a tool can look at now)."""
        return tuple(sorted({*self.changed, *self.added}))


def file_changes(before: dict[str, str], now: dict[str, str]) -> FileChanges:
    """What differs between two {file: digest} maps."""
    return FileChanges(
        changed=tuple(sorted(n for n, d in now.items() if n in before and before[n] != d)),
        added=tuple(sorted(n for n in now if n not in before)),
        deleted=tuple(sorted(n for n in before if n not in now)),
    )


class BaselineStore:
    """Baselines on disk: DIRECTORY/KEY/baseline.json (+ the tests' coverage data), and the
    file digests of recent trees: DIRECTORY/trees/TREE.json."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def keep_files(self, tree: str, files: dict[str, str]) -> None:
        """Remember the files of a tree (detect computes them; the check steps read them)."""
        folder = make_private_dir(self.directory / "trees")
        partial = folder / f".{tree}.{os.getpid()}.partial"
        write_private(partial, json.dumps(files))
        partial.replace(folder / f"{tree}.json")
        _prune(list(folder.glob("*.json")), MAX_TREES)

    def files_of(self, tree: str) -> dict[str, str] | None:
        """The files of a tree kept by keep_files, or None."""
        try:
            files = json.loads((self.directory / "trees" / f"{tree}.json").read_bytes())
        except (OSError, ValueError):
            return None
        return files if isinstance(files, dict) else None

    @staticmethod
    def key(inputs: list[str], root: Path) -> str:
        """The key of a project's baseline for a check's inputs."""
        digest = hashlib.sha256()
        for part in [*inputs, "baseline", str(root)]:
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def load(self, key: str) -> Baseline | None:
        """The baseline under key, or None (a damaged one counts as none)."""
        try:
            data = (self.directory / key / "baseline.json").read_bytes()
            return Baseline.model_validate_json(data)
        except (OSError, ValidationError, ValueError):
            return None

    def coverage(self, key: str) -> Path | None:
        """The coverage data file kept with the baseline, if any."""
        path = self.directory / key / _COVERAGE
        return path if path.is_file() else None

    def keep_sources(self, key: str, root: Path, files: dict[str, str]) -> None:
        """Keep the named files (name -> sha256) as they are, by digest, for the next run to
        compare with (function-level test selection); the others kept before are dropped.
        A file whose bytes no longer have its digest (edited since) is not kept."""
        folder = make_private_dir(self.directory / key / _SOURCES)
        wanted = set(files.values())
        for old in folder.iterdir():
            if old.name not in wanted and not old.name.startswith("."):
                old.unlink(missing_ok=True)
        for name, digest in files.items():
            target = folder / digest
            if target.is_file():
                continue
            try:
                data = (root / name).read_bytes()
            except OSError:
                continue
            if hashlib.sha256(data).hexdigest() == digest:
                partial = folder / f".{digest}.{os.getpid()}.partial"
                write_private(partial, data)
                partial.replace(target)

    def source(self, key: str, digest: str) -> bytes | None:
        """A file as keep_sources kept it (by its sha256), or None."""
        try:
            return (self.directory / key / _SOURCES / digest).read_bytes()
        except OSError:
            return None

    def save(self, key: str, baseline: Baseline, coverage: Path | None = None) -> None:
        """Keep the baseline of a check that ran (passed or failed); others are not kept."""
        if baseline.result.status not in (CheckStatus.PASSED, CheckStatus.FAILED):
            return
        folder = make_private_dir(self.directory / key)
        partial = folder / f".{os.getpid()}.partial"
        if coverage is not None:
            shutil.copyfile(coverage, partial)
            os.chmod(partial, 0o600)
            partial.replace(folder / _COVERAGE)
        else:
            (folder / _COVERAGE).unlink(missing_ok=True)
        data = redact_value(baseline.model_dump(mode="json"))
        write_private(partial, json.dumps(data))
        partial.replace(folder / "baseline.json")
        _prune([path for path in self.directory.iterdir() if path.name != "trees"], MAX_BASELINES)


def _prune(paths: list[Path], keep: int) -> None:
    # Each project, tool version and config adds some; keep the newest, so it cannot grow forever.
    if len(paths) <= keep:
        return
    for path in sorted(paths, key=lambda p: p.stat().st_mtime)[: len(paths) - keep]:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
