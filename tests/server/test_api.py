"""Starting, listing and reading runs through the real server."""

from __future__ import annotations

import time

import httpx
import pytest

from devora.store import open_store
from tests.server.conftest import LiveServer, wait_for_status


def start(api: httpx.Client, workflow: str, **inputs: object) -> dict[str, object]:
    response = api.post("/api/runs", json={"workflow": workflow, "inputs": inputs})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def run_count(server: LiveServer) -> int:
    with server.open_store() as store:
        return len(store.list_runs(limit=1000))


def test_workflows_list_their_input_schema(api: httpx.Client) -> None:
    listed = {w["name"]: w for w in api.get("/api/workflows").json()}
    assert {"chain", "gated", "quality-gate", "release"} <= set(listed)
    schema = listed["chain"]["input_schema"]
    assert schema["properties"]["seed"]["type"] == "integer"
    steps = [s["id"] for s in listed["chain"]["steps"]]
    assert steps == ["first", "second", "side", "slow", "last"]
    one = api.get("/api/workflows/gated").json()
    assert one["steps"][1]["approval"] == "devops"


@pytest.mark.usefixtures("store_env")  # SQLite and PostgreSQL
def test_a_run_started_through_the_api_runs_to_its_end(api: httpx.Client) -> None:
    run = start(api, "chain", seed=2)
    assert run["status"] == "pending" and run["inputs"] == {"seed": 2, "slow": 0.0}
    detail = wait_for_status(api, str(run["id"]), {"succeeded"})
    assert detail["outputs"] == {"last": {"total": 20 + 42, "side": "side-2"}}
    steps = detail["steps"]
    assert isinstance(steps, dict)
    assert {k: v["status"] for k, v in steps.items()} == dict.fromkeys(
        ["first", "second", "side", "slow", "last"], "succeeded"
    )
    assert steps["second"]["output"] == 21 and steps["second"]["attempts"] == 1
    assert detail["usage"] == {
        "llm_calls": 0, "llm_input_tokens": 0, "llm_output_tokens": 0, "llm_cost": 0.0
    }  # fmt: skip
    assert "owner" not in detail


@pytest.mark.usefixtures("store_env")  # SQLite and PostgreSQL
def test_bad_inputs_are_422_naming_the_field_and_record_nothing(
    server: LiveServer, api: httpx.Client
) -> None:
    response = api.post("/api/runs", json={"workflow": "chain", "inputs": {"seed": "many"}})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input" and "seed" in body["error"] and body["hint"]
    assert body["fields"][0]["field"] == "seed"
    unknown = api.post("/api/runs", json={"workflow": "chain", "inputs": {"sed": 1}})
    assert unknown.status_code == 422 and unknown.json()["fields"][0]["field"] == "sed"
    missing = api.post("/api/runs", json={"inputs": {}})
    assert missing.status_code == 422 and missing.json()["fields"][0]["field"] == "body.workflow"
    not_json = api.post("/api/runs", content=b"{nope", headers={"content-type": "application/json"})
    assert not_json.status_code == 422 and set(not_json.json()) >= {"error", "hint"}
    deep: object = 1
    for _ in range(40):
        deep = [deep]
    too_deep = api.post("/api/runs", json={"workflow": "chain", "inputs": {"seed": deep}})
    assert too_deep.status_code == 400 and "nested more than 32" in too_deep.json()["error"]
    assert run_count(server) == 0


def test_unknown_workflows_and_file_paths_are_404(api: httpx.Client, server: LiveServer) -> None:
    for name in ("no-such-flow", "tests/engine/toy_workflows.py:chain", "/etc/passwd"):
        response = api.post("/api/runs", json={"workflow": name})
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "unknown_workflow"
    assert api.get("/api/workflows/no-such-flow").status_code == 404
    assert api.get("/api/runs/20990101-000000-abcdef").json()["code"] == "run_not_found"
    assert run_count(server) == 0


@pytest.mark.usefixtures("store_env")  # SQLite and PostgreSQL
def test_runs_are_listed_and_filtered(api: httpx.Client) -> None:
    first = start(api, "chain", seed=1)
    wait_for_status(api, str(first["id"]), {"succeeded"})
    middle = time.time()
    failed = start(api, "saga")
    parent = start(api, "parent", seed=3)
    wait_for_status(api, str(failed["id"]), {"rolled_back", "failed"})
    wait_for_status(api, str(parent["id"]), {"succeeded"})

    def ids(**params: object) -> list[str]:
        response = api.get("/api/runs", params=params)
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()]

    assert ids() == [parent["id"], failed["id"], first["id"]]  # newest first, no children
    assert ids(workflow="chain") == [first["id"]]
    assert ids(status="rolled_back") == [failed["id"]]
    assert ids(since=middle) == [parent["id"], failed["id"]]
    assert ids(until=middle) == [first["id"]]
    assert ids(limit=1) == [parent["id"]]
    child = f"{parent['id']}.child"
    assert ids(parent=parent["id"]) == [child]
    assert child in ids(children=True)
    detail = api.get(f"/api/runs/{parent['id']}").json()
    assert [c["id"] for c in detail["children"]] == [child]
    bad = api.get("/api/runs", params={"status": "exploded"})
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "query.status"
    assert api.get("/api/runs", params={"limit": 0}).status_code == 422


@pytest.mark.usefixtures("store_env")  # SQLite and PostgreSQL
def test_a_failed_run_shows_its_error_and_compensations(api: httpx.Client) -> None:
    run = start(api, "saga")
    detail = wait_for_status(api, str(run["id"]), {"rolled_back"})
    steps, compensations = detail["steps"], detail["compensations"]
    assert isinstance(steps, dict) and isinstance(compensations, dict)
    assert steps["explode"]["status"] == "failed" and steps["explode"]["error"]["message"]
    assert set(compensations) == {"write_a", "write_b"}
    assert detail["error"] is not None


def test_artifacts_download_and_cannot_escape_the_run_folder(
    server: LiveServer, api: httpx.Client
) -> None:
    run = start(api, "reports", title="weekly")
    detail = wait_for_status(api, str(run["id"]), {"succeeded"})
    artifacts = {a["name"]: a for a in detail["artifacts"]}  # type: ignore[union-attr]
    assert set(artifacts) == {"report.md", "data.json"}
    report = api.get(artifacts["report.md"]["url"])
    assert report.status_code == 200 and report.text.startswith("# weekly")
    assert report.headers["content-type"].startswith("text/markdown")
    assert api.get(artifacts["data.json"]["url"]).json() == {"score": 97}
    for name in ("..%2F..%2Fdevora.db", "../../api-token", "%2Fetc%2Fpasswd", "nothing.md"):
        response = api.get(f"/api/runs/{run['id']}/artifacts/{name}")
        assert response.status_code == 404, (name, response.text)
    # A record whose path points outside the run's folder is not served either.
    from devora.store import ArtifactRecord, JournalBatch

    with open_store(home=server.home) as store:
        outside = ArtifactRecord(
            run_id=str(run["id"]), name="token.txt", path=str(server.home / "api-token")
        )
        store.write(JournalBatch(artifacts=[outside]))
    escaped = api.get(f"/api/runs/{run['id']}/artifacts/token.txt")
    assert escaped.status_code == 404 and server.token not in escaped.text
