"""A run's events over SSE: the journal's order, every event once, Last-Event-ID resume."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest

from tests.server.conftest import LiveServer, wait_for_status


def read_frames(response: httpx.Response, limit: int | None = None) -> list[dict[str, Any]]:
    """Parse SSE frames (id, event, data) until the stream ends or `limit` frames."""
    frames: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    for line in response.iter_lines():
        if line == "":
            if "data" in current:
                frames.append(current)
                if limit is not None and len(frames) >= limit:
                    return frames
            current = {}
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(": ")
            current[field] = json.loads(value) if field == "data" else value
    return frames


def journal(server: LiveServer, run_id: str) -> list[int]:
    with server.open_store() as store:
        return [e.seq for e in store.events(run_id)]


@pytest.mark.usefixtures("store_env")  # SQLite and PostgreSQL
def test_a_live_run_streams_every_event_in_order(server: LiveServer, api: httpx.Client) -> None:
    run_id = api.post("/api/runs", json={"workflow": "chain", "inputs": {"slow": 0.5}}).json()["id"]
    with api.stream("GET", f"/api/runs/{run_id}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        frames = read_frames(response)  # the stream ends when the run has finished
    seqs = [int(f["id"]) for f in frames]
    assert seqs == journal(server, run_id)
    assert seqs == list(range(1, len(seqs) + 1))
    assert frames[0]["event"] == "run.created" and frames[-1]["event"] == "run.finished"
    assert frames[-1]["data"]["data"]["status"] == "succeeded"
    assert all(f["data"]["seq"] == int(f["id"]) and f["data"]["kind"] == f["event"] for f in frames)
    assert any(f["event"] == "step.log" and f["data"]["message"] == "sleeping" for f in frames)


@pytest.mark.usefixtures("store_env")  # SQLite and PostgreSQL
def test_reconnecting_with_last_event_id_gets_each_event_once(
    server: LiveServer, api: httpx.Client
) -> None:
    run_id = api.post("/api/runs", json={"workflow": "many", "inputs": {"width": 8}}).json()["id"]
    seen: list[int] = []
    last: str | None = None
    while True:  # drop the connection after every 3 events, resume from the last id
        headers = {"Last-Event-ID": last} if last else {}
        with api.stream("GET", f"/api/runs/{run_id}/events", headers=headers) as response:
            frames = read_frames(response, limit=3)
        seen += [int(f["id"]) for f in frames]
        if not frames or frames[-1]["event"] == "run.finished":
            break
        last = frames[-1]["id"]
    wait_for_status(api, run_id, {"succeeded"})
    assert seen == journal(server, run_id)  # every event, once, in order
    after = api.get(f"/api/runs/{run_id}/events", params={"after": seen[-2], "follow": False})
    assert [int(f["id"]) for f in read_frames(after)] == [seen[-1]]


def test_a_waiting_run_streams_until_it_ends(api: httpx.Client) -> None:
    run_id = api.post("/api/runs", json={"workflow": "gated"}).json()["id"]
    wait_for_status(api, run_id, {"waiting"})
    with api.stream("GET", f"/api/runs/{run_id}/events") as response:
        lines = response.iter_lines()
        kinds: list[str] = []
        for line in lines:  # everything so far, then the stream stays open
            if line.startswith("event: "):
                kinds.append(line.removeprefix("event: "))
            if kinds[-1:] == ["run.finished"]:
                break
        assert "step.waiting" in kinds
        api.post(f"/api/runs/{run_id}/steps/deploy/reject", json={"comment": "no"})
        for line in lines:  # the same connection delivers what the answer caused
            if line.startswith("event: "):
                kinds.append(line.removeprefix("event: "))
            if line.startswith("data: ") and '"status":"rolled_back"' in line:
                break
    assert kinds.count("run.resumed") == 1 and kinds[-1] == "run.finished"


def test_events_of_an_unknown_run_or_a_bad_id_are_json_errors(api: httpx.Client) -> None:
    missing = api.get("/api/runs/nope/events")
    assert missing.status_code == 404 and missing.json()["code"] == "run_not_found"
    run_id = api.post("/api/runs", json={"workflow": "chain"}).json()["id"]
    bad = api.get(f"/api/runs/{run_id}/events", headers={"Last-Event-ID": "soon"})
    assert bad.status_code == 422 and "Last-Event-ID" in bad.json()["error"]


def test_a_stopping_server_ends_its_live_streams_at_once(
    server: LiveServer, api: httpx.Client
) -> None:
    """uvicorn waits for open responses before the app stops; a live stream never ends by
    itself, so it held every stop for the 5 s grace period, then was cut with an error."""
    waiting = api.post("/api/runs", json={"workflow": "gated", "inputs": {}}).json()["id"]
    running = api.post("/api/runs", json={"workflow": "chain", "inputs": {"slow": 60}}).json()["id"]
    wait_for_status(api, waiting, {"waiting"})
    wait_for_status(api, running, {"running"})
    ended: dict[str, list[dict[str, Any]]] = {}

    def follow(run_id: str, opened: threading.Event) -> None:
        with server.client().stream("GET", f"/api/runs/{run_id}/events") as response:
            opened.set()
            ended[run_id] = read_frames(response)  # until the server ends the stream

    followers = []
    for run_id in (waiting, running):
        opened = threading.Event()
        follower = threading.Thread(target=follow, args=(run_id, opened), daemon=True)
        follower.start()
        assert opened.wait(60)
        followers.append(follower)
    stderr = server.terminate()  # SIGTERM, as a service manager stops it
    for follower in followers:
        follower.join(60)
    assert "graceful shutdown exceeded" not in stderr, stderr
    assert set(ended) == {waiting, running}  # each stream read to its end, no error
    assert ended[waiting][-1]["event"] == "run.finished"  # the waiting run's last event
