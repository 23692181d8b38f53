"""saas-mvp's bad inputs, through the real CLI: one clear error, exit 2, no run, nothing
written; and --dry-run shows the plan without generating anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devora.workflows import resolve_workflow
from tests.cli.harness import Devora, assert_one_clear_error, finished_event, no_runs
from tests.workflows.saas_mvp.workflow_harness import EXAMPLE, configure, saas_env

BAD_TYPE = """name: Shop
entities:
  - name: Product
    fields:
      - {name: title, type: str}
      - {name: weight, type: kilograms}
"""


def test_saas_mvp_is_a_builtin_workflow() -> None:
    workflow = resolve_workflow("saas-mvp")
    assert workflow.order[:3] == ("requirements", "spec-review", "architecture")
    assert {s.id: s.squad for s in workflow.steps}["deploy"] == "devops"


def test_a_spec_with_an_unknown_field_type_names_the_field_and_line(
    devora: Devora, tmp_path: Path
) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(BAD_TYPE)
    out = tmp_path / "shop"
    result = devora("run", "saas-mvp", "--spec", str(spec), "--out", str(out), **saas_env())
    assert_one_clear_error(result, f"{spec}:6", "fields[weight].type", "kilograms")
    assert no_runs(devora)
    assert not out.exists()


def test_an_output_directory_that_is_not_empty_is_refused(devora: Devora, tmp_path: Path) -> None:
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = devora("run", "saas-mvp", "--spec", str(EXAMPLE), "--out", str(out), **saas_env())
    assert_one_clear_error(result, str(out), "not empty", "--out")
    assert no_runs(devora)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((), "exactly one"),
        (("--spec", str(EXAMPLE), "--idea", "a CRM"), "exactly one"),
        (("--idea", "a CRM for plumbers"), "--out DIR is required with --idea"),
        (("--idea", "  ", "--out", "x"), "the idea is empty"),
        (("--spec", "missing.yaml"), "missing.yaml is not a file"),
        (("--spec", str(EXAMPLE), "--postgres-url", "postgresql://u:secret@h/db"), "password"),
        (("--spec", str(EXAMPLE), "--min-score", "101"), "min_score"),
    ],
)
def test_bad_inputs_are_one_clear_error(
    devora: Devora, tmp_path: Path, args: tuple[str, ...], fragment: str
) -> None:
    result = devora("run", "saas-mvp", *args, **saas_env(postgres=False))
    assert_one_clear_error(result, fragment)
    assert "secret" not in result.stderr
    assert no_runs(devora)


def test_without_a_postgresql_server_the_run_does_not_start(devora: Devora, tmp_path: Path) -> None:
    out = tmp_path / "board"
    result = devora("run", "saas-mvp", "--spec", str(EXAMPLE), "--out", str(out),
                    **saas_env(postgres=False))  # fmt: skip
    assert_one_clear_error(result, "no PostgreSQL server", "DEVORA_SAAS_POSTGRES_URL")
    assert no_runs(devora)
    assert not out.exists()


def test_a_deploy_that_is_not_an_argv_list_is_refused(devora: Devora, tmp_path: Path) -> None:
    configure(devora, '[saas_mvp]\ndeploy = "./deploy.sh --prod"\n')
    result = devora("run", "saas-mvp", "--spec", str(EXAMPLE), "--out", str(tmp_path / "b"),
                    **saas_env(postgres=False))  # fmt: skip
    assert_one_clear_error(result, "[saas_mvp]", "deploy", "argv list")
    assert no_runs(devora)


def test_dry_run_shows_the_plan_and_writes_nothing(devora: Devora, tmp_path: Path) -> None:
    configure(devora, '[saas_mvp]\ndeploy = ["./deploy.sh", "--staging"]\n')
    out = tmp_path / "board"
    result = devora("run", "saas-mvp", "--spec", str(EXAMPLE), "--out", str(out), "--dry-run",
                    "--enrich", "--json", timeout=120, **saas_env())  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    finished = finished_event(result)["data"]
    assert finished["status"] == "succeeded" and finished["dry_run"] is True
    assert not out.exists()
    plan = finished["plans"]["architecture"]
    assert plan["summary"] == f"generate Team Board (Client, Project, Task, Invoice) into {out}"
    assert plan["changes"][0] == f"write the project into {out}"
    assert "quality: the quality gate as a child run, score >= 90" in plan["changes"]
    assert plan["changes"][-1] == "deploy: after a devops approval, run: ./deploy.sh --staging"
    assert plan["changes"][-2].startswith("enrich: the backend squad's coding agent improves")
    assert "FastAPI" in plan["details"]["stack"]["backend"]
    run_id = finished_event(result)["run_id"]
    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert shown["steps"]["requirements"]["status"] == "succeeded"
    assert shown["steps"]["architecture"]["status"] == "planned"
    assert shown["steps"]["deploy"]["status"] == "skipped"
    assert shown["steps"]["enrich-merge"]["status"] == "skipped"
