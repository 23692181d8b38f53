"""Run the real `devora` command in a subprocess, with its own store, and read the result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devora.store import open_store

TOYS = str(Path(__file__).resolve().parents[1] / "engine" / "toy_workflows.py")


@dataclass
class Devora:
    """A `devora` command bound to one DEVORA_HOME (and optionally a database URL)."""

    home: Path
    database_url: str | None = None
    counter: Path | None = None

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DEVORA_")}
        env["DEVORA_HOME"] = str(self.home)
        env["COLUMNS"] = "200"
        if self.database_url:
            env["DEVORA_DATABASE_URL"] = self.database_url
        if self.counter is not None:
            env["TOY_COUNTER"] = str(self.counter)
        env.update(extra)
        return env

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "devora", *args]

    def __call__(
        self, *args: str, timeout: float = 60, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args),
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.home.parent,
            stdin=subprocess.DEVNULL,
        )

    def start(self, *args: str, **extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(*args),
            env=self.env(**extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=self.home.parent,
            stdin=subprocess.DEVNULL,
        )

    def ran(self) -> list[str]:
        """The step ids whose actions really ran, in order (from the toy counter file)."""
        if self.counter is None or not self.counter.exists():
            return []
        return self.counter.read_text().split()


def json_lines(output: str) -> list[dict[str, Any]]:
    """Parse `--json` output: one event per line."""
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def wait_for(predicate: Any, timeout: float = 60, interval: float = 0.05) -> None:
    """Poll until predicate() is true, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")


def finished_event(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The `run.finished` event that closes a `--json` run (the last one, after a resume)."""
    finished = [e for e in json_lines(result.stdout) if e.get("kind") == "run.finished"]
    assert finished, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    return finished[-1]


def assert_one_clear_error(result: object, *fragments: str, code: int = 2) -> None:
    """Exit code, an Error: line naming the problem, a Hint:, and no traceback."""
    assert result.returncode == code, (result.stdout, result.stderr)  # type: ignore[attr-defined]
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert stderr.startswith("Error: "), stderr
    assert "Hint: " in stderr, stderr
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in stderr, stderr


def no_runs(devora: Devora) -> bool:
    if not (devora.home / "devora.db").exists():
        return True
    with open_store(home=devora.home) as store:
        return store.list_runs(limit=5) == []
