"""saas-mvp's deploy through the CLI: the configured command runs only once a devops
approver agrees (and not when rejected); without one, the app is started here."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest

from devora.tools.webapp import process_start_time
from tests.cli.harness import Devora, finished_event
from tests.workflows.saas_mvp.workflow_harness import EXAMPLE, configure, saas_env

pytestmark = pytest.mark.slow

DEPLOY_ONLY = str(Path(__file__).with_name("deploy_only.py")) + ":deploy_only"
DEPLOY_THEN_FAIL = str(Path(__file__).with_name("deploy_only.py")) + ":deploy_then_fail"
SCRIPT = """import json, os, sys
open(sys.argv[1], "w").write(json.dumps({"argv": sys.argv[2:], "cwd": os.getcwd()}))
print("deployed to staging")
"""


def _start(devora: Devora, out: Path) -> str:
    result = devora("run", DEPLOY_ONLY, "--spec", str(EXAMPLE), "--out", str(out), "--json",
                    timeout=600, **saas_env())  # fmt: skip
    assert result.returncode == 3, result.stdout[-3000:] + result.stderr[-3000:]
    [task] = json.loads(devora("tasks", "--json").stdout)
    assert (task["step_id"], task["kind"], task["squad"]) == ("deploy", "approval", "devops")
    assert "--staging" in task["prompt"]
    run_id: str = finished_event(result)["run_id"]
    return run_id


@pytest.fixture
def deploy_script(devora: Devora, tmp_path: Path) -> Path:
    script = tmp_path / "deploy.py"
    script.write_text(SCRIPT)
    record = tmp_path / "deployed.json"
    configure(devora, f'[saas_mvp]\ndeploy = ["{sys.executable}", "{script}", "{record}", '
                      '"--staging"]\n')  # fmt: skip
    return record


def test_the_deploy_command_runs_after_an_approval(
    devora: Devora, tmp_path: Path, deploy_script: Path
) -> None:
    out = tmp_path / "team-board"
    run_id = _start(devora, out)
    assert not deploy_script.exists()  # nothing deployed before the approval
    approved = devora("approve", run_id, "deploy", timeout=600, **saas_env())
    assert approved.returncode == 0, approved.stdout[-3000:] + approved.stderr[-3000:]
    assert json.loads(deploy_script.read_text()) == {"argv": ["--staging"], "cwd": str(out)}
    shown = json.loads(devora("status", run_id, "--json").stdout)
    deployed = shown["steps"]["deploy"]["output"]
    assert deployed["kind"] == "command" and deployed["exit_status"] == 0
    assert deployed["output_tail"] == "deployed to staging"


def test_a_rejected_deploy_runs_nothing_and_fails(
    devora: Devora, tmp_path: Path, deploy_script: Path
) -> None:
    run_id = _start(devora, tmp_path / "team-board")
    rejected = devora("reject", run_id, "deploy", "--comment", "not today", timeout=600,
                      **saas_env())  # fmt: skip
    assert rejected.returncode == 1, rejected.stdout[-3000:] + rejected.stderr[-3000:]
    assert not deploy_script.exists()
    shown = json.loads(devora("status", run_id, "--json").stdout)
    assert shown["status"] == "failed"
    assert "not today" in json.dumps(shown["error"])


def test_without_a_command_the_app_is_started_here(devora: Devora, tmp_path: Path) -> None:
    out = tmp_path / "team-board"
    result = devora("run", DEPLOY_ONLY, "--spec", str(EXAMPLE), "--out", str(out), "--json",
                    timeout=900, **saas_env())  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    outputs = finished_event(result)["data"]["outputs"]
    shown = json.loads(devora("status", finished_event(result)["run_id"], "--json").stdout)
    deployed = shown["steps"]["deploy"]["output"]
    try:
        assert deployed["stop"] == ["kill", "-TERM", "--", f"-{deployed['pid']}"]
        assert outputs["stop"] == deployed["stop"]
        assert deployed["process_start"] == process_start_time(deployed["pid"])
        assert outputs["deployed"] == "local"
        assert httpx.get(f"{outputs['url']}/health", timeout=10).status_code == 200
        page = httpx.get(f"{outputs['url']}/signup", timeout=10)
        assert page.status_code == 200 and "signup-form" in page.text
        assert (out / "app.db").is_file()
    finally:
        os.killpg(deployed["pid"], signal.SIGTERM)
    assert "Traceback" not in result.stderr and "is closed" not in result.stderr


def test_a_rolled_back_run_stops_the_app_it_started(devora: Devora, tmp_path: Path) -> None:
    result = devora("run", DEPLOY_THEN_FAIL, "--spec", str(EXAMPLE), "--out",
                    str(tmp_path / "team-board"), timeout=900, **saas_env())  # fmt: skip
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    run_id = next(p.name for p in (devora.home / "artifacts").iterdir())
    shown = json.loads(devora("status", run_id, "--json").stdout)
    deployed = shown["steps"]["deploy"]["output"]
    try:
        assert shown["status"] == "rolled_back"
        assert process_start_time(deployed["pid"]) is None
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{deployed['url']}/health", timeout=5)
        assert f"process {deployed['pid']} stopped" in devora("logs", run_id).stdout
    finally:
        if process_start_time(deployed["pid"]) == deployed["process_start"]:
            os.killpg(deployed["pid"], signal.SIGKILL)
