"""Bad input never passes the gate: a clear message and a failing exit code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.cli.harness import Devora

pytestmark = pytest.mark.slow


def output(result: object) -> str:
    return str(getattr(result, "stdout", "")) + str(getattr(result, "stderr", ""))


def test_a_path_that_does_not_exist(devora: Devora, tmp_path: Path) -> None:
    result = devora("run", "quality-gate", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "path" in result.stderr and "does not exist" in result.stderr
    # Rejected before anything ran: no run was recorded.
    assert "quality-gate" not in devora("runs").stdout


def test_a_file_instead_of_a_directory(devora: Devora, tmp_path: Path) -> None:
    file = tmp_path / "pyproject.toml"
    file.write_text("", encoding="utf-8")
    result = devora("run", "quality-gate", str(file))
    assert result.returncode == 2
    assert "is not a directory" in result.stderr


def test_a_directory_that_is_not_a_project(devora: Devora, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("hello\n", encoding="utf-8")
    result = devora("run", "quality-gate", str(empty))
    assert result.returncode == 1
    assert "is not a project Devora recognizes" in output(result)
    assert "pyproject.toml" in output(result)
    assert "PASSED" not in result.stdout


def test_a_broken_pyproject(devora: Devora, clean: Path) -> None:
    pyproject = clean / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + "\n[tool.broken\n", "utf-8")
    result = devora("run", "quality-gate", str(clean))
    assert result.returncode == 1
    assert "cannot parse" in output(result) and "pyproject.toml" in output(result)
    assert "PASSED" not in result.stdout


def test_a_gate_config_with_a_wrong_key_or_value(devora: Devora, clean: Path) -> None:
    (clean / "devora.toml").write_text(
        "[quality_gate]\nthreshold = 120\n[quality_gate.weights]\nstyle = 3\n", encoding="utf-8"
    )
    result = devora("run", "quality-gate", str(clean))
    assert result.returncode == 1
    text = output(result)
    assert "the quality gate configuration in" in text and "devora.toml" in text
    assert "threshold" in text and "weights.style" in text


def test_a_crashing_tool_fails_the_gate(
    devora: Devora, clean: Path, path_env: dict[str, str], tmp_path: Path
) -> None:
    # The project's own virtualenv comes first: put a ruff there that crashes.
    bin_dir = clean / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    ruff = bin_dir / "ruff"
    ruff.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--version" ]; then echo "ruff 0.0.1"; exit 0; fi\n'
        'echo "ruff: internal error: boom" >&2\nexit 101\n',
        encoding="utf-8",
    )
    ruff.chmod(0o755)
    out = tmp_path / "reports"
    result = devora(
        "run", "quality-gate", str(clean), "--report-dir", str(out), timeout=240, **path_env
    )

    assert result.returncode == 1, output(result)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["passed"] is False
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert statuses["ruff-check"] == statuses["ruff-format"] == "crashed"
    assert statuses["mypy"] == "passed"
    assert "condition failed: no check crashed" in output(result)
    assert "ruff exited with code 101" in output(result)
    # The end of its stderr is in the terminal, report.json, report.md and `devora status`.
    assert "ruff: internal error: boom" in result.stdout
    crashed = next(c for c in report["checks"] if c["name"] == "ruff-check")
    assert crashed["output_tail"] == "ruff: internal error: boom" and crashed["exit_code"] == 101
    assert "ruff: internal error: boom" in (out / "report.md").read_text(encoding="utf-8")
    run_id = json.loads(devora("runs", "--json").stdout)[0]["id"]
    assert "ruff: internal error: boom" in devora("status", run_id).stdout
    # A crash is never cached: a second run asks the tool again.
    again = devora("run", "quality-gate", str(clean), timeout=240, **path_env)
    cached = [line for line in again.stdout.splitlines() if line.startswith("cached:")]
    assert cached and "mypy" in cached[0]  # the checks that ran are reused...
    assert "ruff" not in cached[0]  # ...the crashed ones are asked again
    assert "ruff exited with code 101" in output(again)
    assert again.returncode == 1
