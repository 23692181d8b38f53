"""SIGKILL the server mid-run, start it again: the run finishes, completed steps not re-run."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from tests.server.conftest import LiveServer, wait_for_status

pytestmark = pytest.mark.slow


def _start_slow(server: LiveServer, api: httpx.Client) -> str:
    """A `chain` run whose `slow` step sleeps 60 s, once that step has started."""
    run_id = api.post("/api/runs", json={"workflow": "chain", "inputs": {"slow": 60}}).json()["id"]
    deadline = time.monotonic() + 20
    while "slow" not in server.ran() and time.monotonic() < deadline:
        time.sleep(0.05)
    return str(run_id)


@pytest.mark.usefixtures("store_env")  # SQLite and PostgreSQL
def test_a_killed_server_resumes_the_runs_it_owned(start_server: Callable[..., LiveServer]) -> None:
    first = start_server()
    api = first.client()
    run_id = _start_slow(first, api)
    assert sorted(first.ran()) == ["first", "second", "side", "slow"]
    assert api.get(f"/api/runs/{run_id}").json()["status"] == "running"
    first.kill()

    # TOY_SLOW overrides the recorded 60 s, so the resumed `slow` step ends at once.
    second = start_server(TOY_SLOW="0")
    detail = wait_for_status(second.client(), run_id, {"succeeded"})
    assert detail["outputs"] == {"last": {"total": 10 + 22, "side": "side-1"}}
    ran = second.ran()
    assert sorted(ran) == ["first", "last", "second", "side", "slow", "slow"]  # only slow again
    events = second.client().get(f"/api/runs/{run_id}/events", params={"follow": False}).text
    assert events.count("event: run.resumed") == 1


def test_a_stopped_server_resumes_the_runs_it_interrupted(
    start_server: Callable[..., LiveServer],
) -> None:
    first = start_server()
    api = first.client()
    run_id = _start_slow(first, api)
    first.stop()  # SIGTERM: the run is recorded cancelled ("interrupted")
    second = start_server(TOY_SLOW="0")
    detail = wait_for_status(second.client(), run_id, {"succeeded"})
    assert detail["outputs"] == {"last": {"total": 10 + 22, "side": "side-1"}}
    assert sorted(second.ran()) == ["first", "last", "second", "side", "slow", "slow"]


def test_a_run_cancelled_on_purpose_is_not_resumed(start_server: Callable[..., LiveServer]) -> None:
    first = start_server()
    api = first.client()
    run_id = _start_slow(first, api)
    api.post(f"/api/runs/{run_id}/cancel")
    wait_for_status(api, run_id, {"cancelled"})
    first.kill()
    second = start_server()
    time.sleep(1)
    assert second.client().get(f"/api/runs/{run_id}").json()["status"] == "cancelled"
