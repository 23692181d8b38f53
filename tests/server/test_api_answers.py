"""Approve, reject, complete, cancel and resume through the API, as the token's owner."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from devora.squads import os_account
from devora.store import open_store
from tests.server.conftest import LiveServer, wait_for_status


def start(api: httpx.Client, workflow: str, **inputs: object) -> str:
    response = api.post("/api/runs", json={"workflow": workflow, "inputs": inputs})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def approvers_config(tmp_path: Path, login: str) -> None:
    (tmp_path / "devora.toml").write_text(
        f'[squads.devops]\napprovers = ["alice"]\n\n[approvers]\nalice = "{login}"\n'
    )


@pytest.mark.usefixtures("store_env")  # SQLite and PostgreSQL
def test_approve_then_complete_against_the_schema(
    tmp_path: Path, start_server: Callable[..., LiveServer]
) -> None:
    approvers_config(tmp_path, os_account())
    server = start_server()
    api = server.client()
    run_id = start(api, "gated", release="2.0")
    detail = wait_for_status(api, run_id, {"waiting"})
    assert set(detail["waiting"]) == {"deploy"}  # type: ignore[arg-type]

    approved = api.post(f"/api/runs/{run_id}/steps/deploy/approve", json={"comment": "ship it"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["answered_by"] == "alice"  # the token's owner, named by [approvers]
    detail = wait_for_status(api, run_id, {"waiting"})
    while "release_notes" not in detail["waiting"]:  # type: ignore[operator]
        time.sleep(0.05)
        detail = api.get(f"/api/runs/{run_id}").json()
    schema = detail["waiting"]["release_notes"]["output_schema"]  # type: ignore[index]
    assert schema["properties"]["reviewers"]["minimum"] == 1

    wrong = api.post(
        f"/api/runs/{run_id}/steps/release_notes/complete",
        json={"output": {"text": "notes", "reviewers": 0}},
    )
    assert wrong.status_code == 422 and "reviewers" in wrong.json()["error"]
    with server.open_store() as store:
        assert "release_notes" not in store.answers(run_id)  # nothing half-recorded
    not_waiting = api.post(f"/api/runs/{run_id}/steps/prepare/approve", json={})
    assert not_waiting.status_code == 409 and not_waiting.json()["code"] == "step_not_waiting"

    done = api.post(
        f"/api/runs/{run_id}/steps/release_notes/complete",
        json={"output": {"text": "notes", "reviewers": 2}},
    )
    assert done.status_code == 200, done.text
    detail = wait_for_status(api, run_id, {"succeeded"})
    assert detail["outputs"] == {"release_notes": "notes (2 reviewers)"}
    assert server.ran().count("deploy") == 1


def test_someone_not_among_the_approvers_is_refused(
    tmp_path: Path, start_server: Callable[..., LiveServer]
) -> None:
    approvers_config(tmp_path, "not-the-server-account")
    server = start_server()
    api = server.client()
    run_id = start(api, "gated")
    wait_for_status(api, run_id, {"waiting"})
    refused = api.post(f"/api/runs/{run_id}/steps/deploy/approve", json={})
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_an_approver" and "alice" in refused.json()["error"]
    with open_store(home=server.home) as store:
        assert store.answers(run_id) == {}
        assert store.get_run(run_id).status.value == "waiting"


def test_reject_fails_the_step(api: httpx.Client) -> None:
    run_id = start(api, "gated")
    wait_for_status(api, run_id, {"waiting"})
    rejected = api.post(f"/api/runs/{run_id}/steps/deploy/reject", json={"comment": "not today"})
    assert rejected.status_code == 200, rejected.text
    detail = wait_for_status(api, run_id, {"failed", "rolled_back"})
    assert "not today" in str(detail["steps"]["deploy"]["error"])  # type: ignore[index]


def test_cancel_then_resume_reuses_completed_steps(server: LiveServer, api: httpx.Client) -> None:
    run_id = start(api, "chain", seed=1, slow=2)
    deadline = time.monotonic() + 20
    while "slow" not in server.ran() and time.monotonic() < deadline:
        time.sleep(0.05)
    cancelled = api.post(f"/api/runs/{run_id}/cancel")
    assert cancelled.status_code == 202, cancelled.text
    wait_for_status(api, run_id, {"cancelled"})
    again = api.post(f"/api/runs/{run_id}/cancel")
    assert again.status_code == 409 and again.json()["code"] == "run_not_resumable"

    resumed = api.post(f"/api/runs/{run_id}/resume")
    assert resumed.status_code == 202, resumed.text
    busy = api.post(f"/api/runs/{run_id}/resume")
    assert busy.status_code == 409 and busy.json()["code"] == "run_busy"
    detail = wait_for_status(api, run_id, {"succeeded"})
    assert detail["outputs"] == {"last": {"total": 10 + 22, "side": "side-1"}}
    # Only the interrupted step ran again; the completed ones were reused.
    assert sorted(server.ran()) == ["first", "last", "second", "side", "slow", "slow"]


def test_answering_a_run_that_does_not_wait_is_409(api: httpx.Client) -> None:
    run_id = start(api, "chain")
    wait_for_status(api, run_id, {"succeeded"})
    response = api.post(f"/api/runs/{run_id}/steps/first/complete", json={"output": {}})
    assert response.status_code == 409 and response.json()["code"] == "run_not_resumable"
    assert api.post(f"/api/runs/{run_id}/resume").status_code == 409
