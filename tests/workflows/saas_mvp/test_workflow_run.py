"""saas-mvp for real, through the CLI: the example spec to a generated project that passes
every check (tests, migrations on SQLite and PostgreSQL as child runs, HTTP, Chromium, the
quality gate as a child run), enriched by the coding agent (scripted: an endpoint and its
test, kept because every check passes again on it) and runs locally; a project with a
broken test fails the run with the evidence."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import httpx
import pytest

from tests.cli.harness import Devora, finished_event
from tests.conftest import POSTGRES_URL
from tests.llm.scripted_server import ScriptedServer
from tests.workflows.saas_mvp.enrichment import about_endpoint, model_env
from tests.workflows.saas_mvp.workflow_harness import EXAMPLE, configure, saas_env

pytestmark = pytest.mark.slow

BROKEN = str(Path(__file__).with_name("broken_project.py")) + ":broken_saas"
RUN_LIMIT = 1800


def _saas_databases() -> list[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(POSTGRES_URL, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT datname FROM pg_database WHERE datname LIKE :prefix"),
            {"prefix": "devora_saas_%"},
        )
        return [row[0] for row in rows]


def test_the_example_spec_becomes_a_verified_enriched_running_product(
    devora: Devora, tmp_path: Path, scripted: list[ScriptedServer]
) -> None:
    configure(devora)
    out = tmp_path / "team-board"
    replies, product = about_endpoint(EXAMPLE)
    server = ScriptedServer(replies).start()
    scripted.append(server)
    env = {**saas_env(), **model_env(server)}
    result = devora("run", "saas-mvp", "--spec", str(EXAMPLE), "--out", str(out), "--json",
                    "--enrich", timeout=RUN_LIMIT, **env)  # fmt: skip
    finished = finished_event(result)
    outputs = finished["data"]["outputs"]
    try:
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
        assert outputs["product"] == "Team Board" and outputs["out"] == str(out)
        assert set(outputs["verifications"].values()) == {"passed"}
        assert len(outputs["verifications"]) == 6
        assert outputs["deployed"] == "local"
        health = httpx.get(f"{outputs['url']}/health", timeout=10)
        assert health.status_code == 200
        # The enrichment passed every check again, was merged, and is what was deployed.
        assert outputs["enrichment"]["kept"] is True, outputs["enrichment"]
        assert "tests/test_about.py" in outputs["enrichment"]["files"]
        about = httpx.get(f"{outputs['url']}/api/about", timeout=10)
        assert about.status_code == 200 and about.json()["product"] == product
    finally:
        shown = json.loads(devora("status", finished["run_id"], "--json").stdout)
        deployed = shown["steps"]["deploy"]["output"]
        if deployed and deployed.get("pid"):
            os.killpg(deployed["pid"], signal.SIGTERM)
    run_id = finished["run_id"]
    children = {child["id"]: child for child in shown["children"]}
    assert {
        f"{run_id}.{step}"
        for step in ("database", "database-postgresql", "quality", "enrich-database",
                     "enrich-database-postgresql", "enrich-quality")
    } <= set(children)  # fmt: skip
    assert (out / "tests" / "test_about.py").is_file()
    assert server.remaining == 0
    for step in ("enrich-database", "enrich-database-postgresql", "enrich-backend",
                 "enrich-frontend", "enrich-quality"):  # fmt: skip
        assert shown["steps"][step]["status"] == "succeeded", step
        checks = shown["steps"][step]["output"]["verifications"]
        assert checks and all(check["status"] == "passed" for check in checks), checks
    enriched_tests = shown["steps"]["enrich-backend"]["output"]["verifications"][0]
    assert enriched_tests["details"]["counts"]["passed"] == _tests_passed(shown) + 1
    assert all(child["status"] == "succeeded" for child in children.values())
    assert not [name for name in _saas_databases() if run_id.replace("-", "_") in name]
    backend = shown["steps"]["backend"]["output"]["verifications"]
    tests = backend[0]
    assert tests["name"] == "project tests" and tests["exit_status"] == 0
    assert tests["command"][1:6] == ["-m", "coverage", "run", "-m", "pytest"]
    assert tests["details"]["coverage_percent"] > 0
    gate_log = devora("logs", f"{run_id}.quality").stdout
    assert "pytest: cached result reused" in gate_log  # the tests ran once, for both steps
    assert tests["details"]["counts"]["passed"] > 0
    http = backend[1]
    assert "POST /api/auth/signup -> 201" in http["output_tail"]
    assert "GET /api/invoices/1 -> 200" in http["output_tail"]
    quality = shown["steps"]["quality"]["output"]["verifications"][0]
    assert quality["details"]["score"] >= 90
    report = (devora.home / "artifacts" / run_id / "report.md").read_text()
    assert "| sign-up, create, list in Chromium | passed |" in report
    assert "## Enrichment" in report and "kept (merged)" in report
    assert (out / "devora.toml").read_text().endswith('optional = ["pip-audit"]\n')
    assert f"running at {outputs['url']}" in devora("status", run_id).stdout or outputs["url"]


def _tests_passed(shown: dict[str, object]) -> int:
    """How many of the project's tests passed in `backend` (before the enrichment)."""
    steps = shown["steps"]
    assert isinstance(steps, dict)
    passed: int = steps["backend"]["output"]["verifications"][0]["details"]["counts"]["passed"]
    return passed


def test_a_generated_project_whose_test_fails_fails_the_run_with_the_evidence(
    devora: Devora, tmp_path: Path
) -> None:
    configure(devora)
    out = tmp_path / "team-board"
    result = devora("run", BROKEN, "--spec", str(EXAMPLE), "--out", str(out), "--no-deploy",
                    timeout=RUN_LIMIT, **saas_env())  # fmt: skip
    assert result.returncode == 1, result.stdout[-5000:] + result.stderr[-3000:]
    assert "the generated project did not pass project tests" in result.stdout + result.stderr
    assert "test_broken_on_purpose" in result.stdout + result.stderr
    run_id = next(p.name for p in (devora.home / "artifacts").iterdir() if "." not in p.name)
    evidence = json.loads((devora.home / "artifacts" / run_id / "verify-backend.json").read_text())
    [tests, *_] = evidence["verifications"]
    assert tests["status"] == "failed" and tests["exit_status"] == 1
    assert "broken by the saas-mvp workflow test" in tests["output_tail"]
    assert tests["details"]["counts"]["failed"] == 1
    assert out.is_dir()  # kept to look at
