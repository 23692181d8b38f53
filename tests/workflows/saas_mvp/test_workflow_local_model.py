"""saas-mvp's requirements step against a real model: SmolLM2-135M-Instruct served by
scripts/local-model, its answer constrained to the spec's JSON schema and held to the spec's
cross-checks. Skipped when the local model is not installed, unless
DEVORA_LOCAL_MODEL_TESTS=1 (then a failure), as feature-development's test of it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from devora.workflows.saas_mvp import parse_spec
from tests.cli.harness import Devora, finished_event
from tests.workflows.feature_development.test_local_model import local_model
from tests.workflows.saas_mvp.workflow_harness import configure, saas_env

pytestmark = pytest.mark.slow
__all__ = ["local_model"]  # the fixture, shared with feature-development's test


def test_the_local_model_writes_a_valid_spec(
    local_model: str, devora: Devora, tmp_path: Path
) -> None:
    configure(
        devora,
        f'[llm]\nbase_url = "{local_model}"\nstructured_output = "json_object"\n'
        'request_timeout = 900\n[squads.business]\nmodel = "local:smollm2"\n',
    )
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
    written = (devora.home / "artifacts" / run_id / "spec.yaml").read_text()
    assert parse_spec(written).entities  # the spec file a person would get back is valid too
    print(f"requirements with SmolLM2-135M on 1 thread: {took:.0f} s")
