"""--enrich that breaks the project: the coding agent (scripted) adds a failing test; the
checks run again on its branch, the tests fail, the browser and the gate are not run on it,
and the change is discarded with its evidence while the run, and the project as generated,
stand. (The enrichment that passes and is kept: test_workflow_run.py.)"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli.harness import Devora, finished_event
from tests.llm.scripted_server import ScriptedServer
from tests.workflows.saas_mvp.enrichment import broken_test, model_env
from tests.workflows.saas_mvp.workflow_harness import configure, saas_env

pytestmark = pytest.mark.slow

SPEC = """name: Notes
entities:
  - name: Note
    fields:
      - {name: title, type: str}
"""


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def test_an_enrichment_that_breaks_a_test_is_discarded_with_its_evidence(
    devora: Devora, tmp_path: Path, scripted: list[ScriptedServer]
) -> None:
    configure(devora, '[saas_mvp]\ngate_optional = ["pip-audit"]\nenrich = true\n')
    spec = tmp_path / "notes.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "notes"
    server = ScriptedServer(broken_test()).start()
    scripted.append(server)
    result = devora("run", "saas-mvp", "--spec", str(spec), "--out", str(out), "--no-deploy",
                    "--json", timeout=1800, **{**saas_env(), **model_env(server)})  # fmt: skip
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    finished = finished_event(result)
    enrichment = finished["data"]["outputs"]["enrichment"]
    assert enrichment["kept"] is False
    assert enrichment["files"] == ["tests/test_enriched.py"]
    assert "project tests" in enrichment["failed"]
    assert "enrich-quality (not run: an earlier check failed)" in enrichment["failed"]
    run_id = finished["run_id"]
    shown = json.loads(devora("status", run_id, "--json").stdout)
    steps = shown["steps"]
    assert steps["enrich"]["status"] == steps["enrich-merge"]["status"] == "succeeded"
    assert steps["enrich-frontend"]["status"] == steps["enrich-quality"]["status"] == "skipped"
    assert steps["enrich-database"]["output"]["verifications"][0]["status"] == "passed"
    # The evidence: the failing test, named, with pytest's output; the patch.
    artifacts = devora.home / "artifacts" / run_id
    checks = json.loads((artifacts / "verify-enrich-backend.json").read_text())["verifications"]
    assert checks[0]["status"] == "failed"
    assert "test_broken_by_the_enrichment" in checks[0]["reason"]
    assert "assert (1 + 1) == 3" in checks[0]["output_tail"]
    assert "tests/test_enriched.py" in (artifacts / "enrich.patch").read_text()
    assert "discarded: did not pass: project tests" in (artifacts / "report.md").read_text()
    # Discarded: the project is as generated (one commit), no branch or worktree is left.
    assert not (out / "tests" / "test_enriched.py").exists()
    assert len(_git(out, "log", "--oneline").splitlines()) == 1
    assert _git(out, "branch", "--list", "devora/*") == ""
    assert len(_git(out, "worktree", "list").splitlines()) == 1
    assert server.remaining == 0
