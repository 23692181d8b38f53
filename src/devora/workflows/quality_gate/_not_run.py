"""A check that could not reach its service is remembered as not run, for a short while.

pip-audit and npm audit ask a vulnerability service; when it is unreachable they are "not
run", which is never cached as a result (it never counts as passed). Asking again on every
run of an unchanged project costs seconds each time (pip-audit resolves the dependencies,
then waits on the network), so the not-run result is remembered, as not run and with its
reason, for NOT_RUN_KEPT_FOR seconds, while the dependency files, the tool and the
environment are unchanged. `--full` and `--no-cache` ask again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from pydantic import ValidationError

from devora.private_files import make_private_dir, write_private
from devora.secrets import redact_value
from devora.tools.checks import CheckResult, CheckStatus
from devora.tools.impact import configuration_files

__all__ = ["NOT_RUN_KEPT_FOR", "SERVICE_CHECKS", "NotRunMemo"]

NOT_RUN_KEPT_FOR = 300.0  # seconds
# Checks whose "not run" comes from a service being away, not from the code.
SERVICE_CHECKS = frozenset({"pip-audit", "npm-audit"})


class NotRunMemo:
    """Not-run results of service checks on disk, one JSON file per key, with their time."""

    def __init__(self, directory: Path, kept_for: float = NOT_RUN_KEPT_FOR) -> None:
        self.directory = directory
        self.kept_for = kept_for

    @staticmethod
    def key(inputs: list[str], root: Path, files: dict[str, str]) -> str:
        """The key for a check's inputs on a project with these dependency files."""
        digest = hashlib.sha256()
        dependencies = [f"{name}\0{files[name]}" for name in sorted(configuration_files([*files]))]
        for part in [*inputs, "not-run", str(root), *dependencies]:
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def load(self, key: str) -> CheckResult | None:
        """The not-run result kept under key while it is recent, with a note saying so."""
        path = self.directory / f"{key}.json"
        try:
            entry = json.loads(path.read_bytes())
            result = CheckResult.model_validate(entry["result"])
            age = time.time() - float(entry["at"])
        except (OSError, ValueError, KeyError, TypeError, ValidationError):
            return None
        if result.status is not CheckStatus.NOT_RUN or not 0 <= age < self.kept_for:
            return None
        note = (
            f"not run {age:.0f} s ago ({result.reason}); remembered for {self.kept_for:.0f} s "
            "while no dependency file changes (--full asks again); never counted as passed"
        )
        return result.model_copy(update={"reused": note})

    def save(self, key: str, result: CheckResult) -> None:
        """Remember a not-run result (others are not kept here)."""
        if result.status is not CheckStatus.NOT_RUN:
            return
        make_private_dir(self.directory)
        target = self.directory / f"{key}.json"
        partial = target.with_name(f".{key}.{os.getpid()}.partial")
        entry = {"at": time.time(), "result": redact_value(result.model_dump(mode="json"))}
        write_private(partial, json.dumps(entry))
        partial.replace(target)
        self._prune()

    def _prune(self) -> None:
        # Expired entries are never read again.
        now = time.time()
        for path in self.directory.glob("*.json"):
            try:
                if now - path.stat().st_mtime > self.kept_for:
                    path.unlink()
            except OSError:
                continue
