"""`devora serve` under load: relations that hold on a busy two-core machine, no timings.

Starting a run costs the same whether the server is idle or has a queue of runs to get
through (at most `--max-runs` execute, the others wait `pending` and say where they
stand); 20 SSE clients that keep reconnecting get every event of their run once.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from devora.server._sse import _following
from devora.squads import os_account
from devora.store import Event, EventKind
from tests.server.conftest import LiveServer, wait_for_status
from tests.server.test_api_answers import approvers_config
from tests.server.test_sse import read_frames

MAX_RUNS = 4
BUSY = 100


def start(client: httpx.Client, **inputs: Any) -> dict[str, Any]:
    response = client.post("/api/runs", json={"workflow": "chain", "inputs": inputs})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def median_start_seconds(*clients: httpx.Client, count: int = 15) -> list[float]:
    """Each client's median latency of `count` start-run requests, sent one at a time and
    in turns (one to each client, then again): the medians are taken under the same load."""
    latencies: list[list[float]] = [[] for _ in clients]
    for seed in range(count):
        for client, measured in zip(clients, latencies, strict=True):
            began = time.perf_counter()
            start(client, seed=seed)
            measured.append(time.perf_counter() - began)
    return [statistics.median(measured) for measured in latencies]


def statuses(client: httpx.Client) -> dict[str, int]:
    runs = client.get("/api/runs", params={"limit": 1000}).json()
    counted: dict[str, int] = {}
    for run in runs:
        counted[run["status"]] = counted.get(run["status"], 0) + 1
    return counted


def test_start_run_costs_no_more_with_busy_runs_executing_and_queued(
    start_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    server = start_server(DEVORA_SERVE_MAX_RUNS=str(MAX_RUNS))
    client = server.client(timeout=120)
    # The idle baseline: a second server with nothing to do, asked in turns with the busy
    # one, so that both medians see the same machine (measured apart, a busy machine's
    # swings alone could make them differ twofold).
    idle_client = start_server(tmp_path / "idle" / ".devora").client(timeout=120)
    median_start_seconds(client, idle_client)  # 15 runs on each, which all end
    deadline = time.monotonic() + 120
    while statuses(client).keys() - {"succeeded"} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert statuses(client) == {"succeeded": 15}

    # BUSY runs, each streaming a log line every millisecond for 5 s and more: the server
    # accepts them all and executes MAX_RUNS at a time. Without that bound all of them
    # share the loop with every request (a server without it: 5.9 times the idle median).
    def busy(_: int) -> dict[str, Any]:
        response = client.post(
            "/api/runs", json={"workflow": "chatty", "inputs": {"lines": 5000, "pause": 0.001}}
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    with ThreadPoolExecutor(max_workers=10) as pool:
        burst = list(pool.map(busy, range(BUSY)))
    assert all(run["status"] == "pending" for run in burst)
    queued = [run["queued"] for run in burst if run["queued"] is not None]
    assert len(queued) >= BUSY - MAX_RUNS
    assert all(q["limit"] == MAX_RUNS and q["running"] <= MAX_RUNS for q in queued)
    assert all(1 <= q["position"] <= BUSY for q in queued)  # exact places: the next test

    loaded, idle = median_start_seconds(client, idle_client)
    now = statuses(client)
    assert now.get("running", 0) == MAX_RUNS, now
    assert now.get("pending", 0) == BUSY - MAX_RUNS + 15, now
    assert loaded <= 2 * idle, f"start-run median {loaded:.4f} s loaded, {idle:.4f} s idle"


def test_a_queued_run_says_where_it_stands_and_can_be_cancelled_before_it_starts(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server(DEVORA_SERVE_MAX_RUNS="1")
    client = server.client()
    first = start(client, seed=1, slow=30)
    wait_for_status(client, first["id"], {"running"})
    second, third = start(client, seed=2), start(client, seed=3)
    assert first["queued"] is None
    assert second["queued"] == {"position": 1, "running": 1, "limit": 1}
    assert third["queued"] == {"position": 2, "running": 1, "limit": 1}

    cancelled = client.post(f"/api/runs/{second['id']}/cancel")
    assert cancelled.status_code == 202 and cancelled.json()["status"] == "cancelled"
    detail = client.get(f"/api/runs/{third['id']}").json()
    assert detail["status"] == "pending" and detail["queued"]["position"] == 1

    client.post(f"/api/runs/{first['id']}/cancel")
    wait_for_status(client, third["id"], {"succeeded"})
    assert client.get(f"/api/runs/{third['id']}").json()["queued"] is None
    kinds = [
        f["event"] for f in read_frames(client.get(f"/api/runs/{second['id']}/events?follow=false"))
    ]
    assert kinds == ["run.created", "run.finished"]  # cancelled before it ever started


def follow_with_reconnects(server: LiveServer, run_id: str, every: int) -> list[int]:
    """The run's event seqs, the stream dropped after every `every` events and resumed
    with Last-Event-ID (every=0: one stream to the end)."""
    seqs: list[int] = []
    with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=60) as client:
        while True:
            headers = {"Last-Event-ID": str(seqs[-1])} if seqs else {}
            url = f"/api/runs/{run_id}/events"
            with client.stream("GET", url, headers=headers) as response:
                assert response.status_code == 200
                frames = read_frames(response, limit=every or None)
            seqs += [int(f["id"]) for f in frames]
            if not frames or frames[-1]["event"] == "run.finished":
                return seqs


def test_twenty_sse_clients_reconnecting_get_every_event_once(server: LiveServer) -> None:
    client = server.client()
    runs = [start(client, seed=i, slow=1.0)["id"] for i in range(10)]
    # Two clients per run: one reconnecting after every 2 events, one staying connected.
    plan = [(run_id, every) for run_id in runs for every in (2, 0)]
    with ThreadPoolExecutor(max_workers=len(plan)) as pool:
        followed = list(pool.map(lambda p: follow_with_reconnects(server, *p), plan))
    with server.open_store() as store:
        for (run_id, every), seqs in zip(plan, followed, strict=True):
            journal = [e.seq for e in store.events(run_id)]
            assert seqs == journal, f"{run_id} (every={every}): {seqs} != journal {journal}"
            assert store.get_run(run_id).status.value == "succeeded"


def test_a_stream_takes_published_events_only_when_they_follow_without_a_gap() -> None:
    def events(*seqs: int) -> list[Event]:
        return [Event(run_id="r", seq=seq, kind=EventKind.STEP_LOG) for seq in seqs]

    assert [e.seq for e in _following(events(4, 5, 6), 3) or []] == [4, 5, 6]
    assert [e.seq for e in _following(events(2, 3, 4, 5), 3) or []] == [4, 5]  # read already
    assert _following(events(5, 6), 3) is None  # 4 was committed elsewhere: read the journal
    assert _following(events(4, 6), 3) is None
    assert _following(events(1, 2), 3) is None  # nothing new: the journal says why we woke
    assert _following(None, 3) is None  # a poke, or too many held


def test_runs_still_queued_when_the_server_stops_execute_when_it_starts_again(
    tmp_path: Path, start_server: Callable[..., LiveServer]
) -> None:
    approvers_config(tmp_path, os_account())
    first = start_server(DEVORA_SERVE_MAX_RUNS="1")
    client = first.client()
    gated = client.post("/api/runs", json={"workflow": "gated", "inputs": {}}).json()["id"]
    wait_for_status(client, gated, {"waiting"})
    slow = start(client, seed=1, slow=30)["id"]
    wait_for_status(client, slow, {"running"})
    pending = start(client, seed=2)
    assert pending["queued"]["position"] == 1
    approved = client.post(f"/api/runs/{gated}/steps/deploy/approve", json={"comment": "ok"})
    assert approved.status_code == 200, approved.text
    detail = client.get(f"/api/runs/{gated}").json()
    assert detail["status"] == "waiting" and detail["queued"]["position"] == 2  # its turn next

    first.stop()  # SIGTERM: the running run is recorded cancelled, the queued ones stay
    second = start_server(DEVORA_SERVE_MAX_RUNS="1", TOY_SLOW="0")
    client = second.client()
    for run_id in (slow, pending["id"]):
        wait_for_status(client, run_id, {"succeeded"}, timeout=60)
    # The answered run continued from its approval to the next thing it waits for.
    deadline = time.monotonic() + 60
    while "release_notes" not in detail["waiting"] and time.monotonic() < deadline:
        time.sleep(0.1)
        detail = client.get(f"/api/runs/{gated}").json()
    assert detail["steps"]["deploy"]["status"] == "succeeded"
    assert set(detail["waiting"]) == {"release_notes"}
