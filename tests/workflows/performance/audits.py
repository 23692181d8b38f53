"""Running the performance-audit workflow through the real CLI and reading what it wrote."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.cli.harness import Devora, finished_event


@dataclass
class Audit:
    """One finished `devora run performance-audit`: exit code, run, outputs, artifacts."""

    result: subprocess.CompletedProcess[str]
    run_id: str
    status: str
    outputs: dict[str, Any] | None
    error: dict[str, Any] | None
    artifacts: Path

    def read(self, name: str) -> str:
        return (self.artifacts / name).read_text(encoding="utf-8")

    def record(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.read("performance-audit.json"))
        return data


def run_audit(devora: Devora, *args: str, timeout: float = 300, **env: str) -> Audit:
    """Run the audit with --json and collect the run's end."""
    result = devora("run", "performance-audit", *args, "--json", timeout=timeout, **env)
    end = finished_event(result)
    data = end.get("data") or {}
    return Audit(
        result=result,
        run_id=end["run_id"],
        status=data.get("status", ""),
        outputs=data.get("outputs"),
        error=data.get("error"),
        artifacts=devora.home / "artifacts" / end["run_id"],
    )


def write_config(directory: Path, text: str) -> None:
    """A devora.toml in the directory the CLI runs in."""
    (directory / "devora.toml").write_text(text, encoding="utf-8")
