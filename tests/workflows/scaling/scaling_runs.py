"""Running the scaling workflow through the real CLI and reading what it wrote."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.cli.harness import Devora, finished_event, json_lines


@dataclass
class Study:
    """One finished `devora run scaling`."""

    result: subprocess.CompletedProcess[str]
    run_id: str
    status: str
    outputs: dict[str, Any] | None
    error: dict[str, Any] | None
    artifacts: Path
    logs: list[str]

    def read(self, name: str) -> str:
        return (self.artifacts / name).read_text(encoding="utf-8")


def run_scaling(devora: Devora, *args: str, timeout: float = 240) -> Study:
    """Run the scaling workflow with --json and collect the run's end and its step logs."""
    result = devora("run", "scaling", *args, "--json", timeout=timeout)
    events = json_lines(result.stdout)
    end = finished_event(result)
    data = end.get("data") or {}
    return Study(
        result=result,
        run_id=end["run_id"],
        status=data.get("status", ""),
        outputs=data.get("outputs"),
        error=data.get("error"),
        artifacts=devora.home / "artifacts" / end["run_id"],
        logs=[e.get("message") or "" for e in events if e.get("kind") == "step.log"],
    )
