"""saas-mvp's requirements step against a real model: SmolLM2-135M-Instruct served by
scripts/local-model, its answer held to the spec's JSON schema by the server's grammar and to
the spec's cross-checks by Devora.

Runs only with DEVORA_LOCAL_MODEL_TESTS=1 (tests/workflows/local_model.py says why).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from devora.workflows.saas_mvp import parse_spec
from tests.cli.harness import Devora, finished_event
from tests.workflows.local_model import LocalModel, local_model, local_model_config, usage_line
from tests.workflows.saas_mvp.workflow_harness import configure, saas_env

pytestmark = pytest.mark.slow
__all__ = ["local_model"]  # the fixture


@pytest.mark.timeout(2700)
def test_the_local_model_writes_a_valid_spec(
    local_model: LocalModel, devora: Devora, tmp_path: Path
) -> None:
    configure(devora, local_model_config(local_model))
    env = {k: v for k, v in saas_env().items() if k != "DEVORA_MODEL"}
    started = time.monotonic()
    result = devora("run", "saas-mvp", "--idea", "A library that lends books to members.",
                    "--out", str(tmp_path / "library"), "--no-review-spec", "--dry-run",
                    "--json", timeout=2700, **env)  # fmt: skip
    took = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    run_id = finished_event(result)["run_id"]
    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert shown["steps"]["requirements"]["output"]["source"] == "agent"
    summary = shown["summary"]
    assert summary["llm_calls"] >= 1 and summary["llm_output_tokens"] > 0  # the model answered
    written = (devora.home / "artifacts" / run_id / "spec.yaml").read_text()
    assert parse_spec(written).entities  # the spec file a person would get back is valid too
    print(usage_line("requirements", took, summary))
    print(written)
