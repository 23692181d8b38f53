"""scripts/local-model without the model: its errors and its environment, and the local model
tests' contract (opt-in; asked for and missing is a failure, not a skip)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.workflows.local_model import ROOT, SCRIPT


def _script(*args: str, tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEVORA_MODEL_VENV": str(tmp_path / "no-venv"), **extra}
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip


def test_an_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = _script("start", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "Error: unknown command start" in result.stderr
    assert "Hint: scripts/local-model install | serve | env" in result.stderr


def test_serving_a_model_that_is_not_installed_says_how_to_install_it(tmp_path: Path) -> None:
    result = _script("serve", tmp_path=tmp_path)
    assert result.returncode == 5
    assert f"Error: the local model is not installed in {tmp_path / 'no-venv'}" in result.stderr
    assert "Hint: run scripts/local-model install" in result.stderr


def test_env_points_devora_at_the_server(tmp_path: Path) -> None:
    result = _script("env", tmp_path=tmp_path, DEVORA_MODEL_PORT="9123")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "export DEVORA_MODEL=local:smollm2",
        "export DEVORA_LLM_BASE_URL=http://127.0.0.1:9123/v1",
        "export DEVORA_LLM_STRUCTURED_OUTPUT=json_object",
    ]


def _local_model_test(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DEVORA_LOCAL_MODEL_TESTS"}
    env.update(DEVORA_MODEL_VENV=str(tmp_path / "no-venv"), **extra)
    test = "tests/workflows/feature_development/test_local_model.py"
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", test,
            "--basetemp", str(tmp_path / "t")]  # fmt: skip
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_the_local_model_tests_are_skipped_unless_asked_for(tmp_path: Path) -> None:
    result = _local_model_test(tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "1 skipped" in result.stdout
    assert "set DEVORA_LOCAL_MODEL_TESTS=1" in result.stdout


def test_asked_for_without_the_model_they_fail(tmp_path: Path) -> None:
    result = _local_model_test(tmp_path, DEVORA_LOCAL_MODEL_TESTS="1")
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 error" in result.stdout  # the fixture fails: no test body ran
    assert "but the local model is not installed in" in result.stdout
