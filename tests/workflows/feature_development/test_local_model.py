"""feature-development's analyze step against a real model: SmolLM2-135M-Instruct served by
scripts/local-model, its answer held to the PRD's JSON schema by the server's grammar.

Runs only with DEVORA_LOCAL_MODEL_TESTS=1 (tests/workflows/local_model.py says why).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from devora.workflows.feature_development import Prd
from tests.cli.harness import Devora, finished_event
from tests.workflows.feature_development.conftest import make_project
from tests.workflows.local_model import LocalModel, local_model, local_model_config, usage_line

pytestmark = pytest.mark.slow
__all__ = ["local_model"]  # the fixture


@pytest.mark.timeout(1800)
def test_analyze_writes_a_valid_prd_with_the_local_model(
    local_model: LocalModel, devora: Devora, tmp_path: Path
) -> None:
    repo = make_project(tmp_path / "shop", local_model_config(local_model))
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
    summary = shown["summary"]
    assert summary["llm_calls"] >= 1 and summary["llm_output_tokens"] > 0  # the model answered
    tasks = json.loads(devora("tasks", "--json").stdout)
    assert [task["step_id"] for task in tasks] == ["plan"]
    prd_md = (devora.home / "artifacts" / run_id / "PRD.md").read_text()
    assert prd_md.startswith("# ") and "## Acceptance criteria" in prd_md and "  - Given " in prd_md
    # The plan's prompt carries the PRD the model wrote, valid against the schema.
    prd = Prd.model_validate_json(tasks[0]["prompt"].split("PRD:\n", 1)[1].split("\n\n", 1)[0])
    assert prd.acceptance_criteria
    print(usage_line("analyze", took, summary))
    print(prd.model_dump_json())
