"""`FastStart`: a valid `POST /api/runs` is answered before FastAPI, as the route answers
it; every other request reaches the route with the same bytes and gets its answer.

In process, on a real store: the app of `create_app`, and the same app without the
middleware (the route alone) to compare with.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from devora.server import create_app
from devora.server._fast_start import FastStart
from devora.server._state import ServerState
from tests.cli.harness import TOYS

TOKEN = "fast-start-token-0123456789"
GOOD = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


@dataclass
class Apps:
    """FastStart in front of the route (noting what reaches it), and the route alone."""

    fast: httpx.AsyncClient
    route: httpx.AsyncClient
    reached: list[str]
    state: ServerState
    app: FastAPI  # without FastStart

    def runs(self) -> int:
        return len(self.state.store.list_runs(limit=1000))


@pytest.fixture
async def apps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Apps]:
    monkeypatch.setenv("DEVORA_API_TOKEN", TOKEN)
    app: FastAPI = create_app(home=tmp_path / ".devora", workflows=[f"{TOYS}:chain"], max_runs=1)
    app.user_middleware = [m for m in app.user_middleware if m.cls is not FastStart]
    state: ServerState = app.state.devora
    reached: list[str] = []

    async def route(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["path"])
        await app(scope, receive, send)

    base = "http://devora"
    async with (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(FastStart(route, state)), base_url=base
        ) as fast,
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=base) as alone,
    ):
        yield Apps(fast, alone, reached, state, app)
    await state.runner.aclose()
    state.store.close()


async def test_a_valid_start_is_answered_before_fastapi_as_the_route_answers_it(
    apps: Apps,
) -> None:
    body = {"workflow": "chain", "inputs": {"seed": 3}, "dry_run": True}
    fast = await apps.fast.post("/api/runs", json=body, headers=GOOD)
    assert fast.status_code == 201, fast.text
    assert apps.reached == []  # answered by FastStart, not handed on
    route = await apps.route.post("/api/runs", json=body, headers=GOOD)
    assert route.status_code == 201, route.text
    mine, theirs = fast.json(), route.json()
    assert list(mine) == list(theirs)  # the same fields, in the same order
    for name in ("workflow", "workflow_ref", "inputs", "dry_run", "parent_run_id", "summary"):
        assert mine[name] == theirs[name], name
    assert mine["inputs"]["seed"] == 3 and mine["dry_run"] is True
    assert fast.headers["content-type"] == route.headers["content-type"]
    # The first executes at once (max_runs 1); the next ones wait their turn, and say so.
    assert mine["queued"] is None
    assert theirs["queued"] == {"position": 1, "running": 1, "limit": 1}
    third = (await apps.fast.post("/api/runs", json=body, headers=GOOD)).json()
    assert third["queued"] == {"position": 2, "running": 1, "limit": 1}
    assert apps.reached == []
    recorded = {run.id for run in apps.state.store.list_runs()}
    assert recorded == {mine["id"], theirs["id"], third["id"]}


BAD: list[tuple[str, dict[str, str], bytes, int]] = [
    ("no token", {"Content-Type": "application/json"}, b'{"workflow": "chain"}', 401),
    ("wrong token", {**GOOD, "Authorization": "Bearer nope-nope-nope-nope"}, b"{}", 401),
    ("basic scheme", {**GOOD, "Authorization": f"Basic {TOKEN}"}, b"{}", 401),
    ("text body", {**GOOD, "Content-Type": "text/plain"}, b'{"workflow": "chain"}', 422),
    ("no body", GOOD, b"", 422),
    ("not JSON", GOOD, b"{nope", 422),
    ("no workflow", GOOD, b'{"inputs": {}}', 422),
    ("inputs not an object", GOOD, b'{"workflow": "chain", "inputs": [1]}', 422),
    ("unknown workflow", GOOD, b'{"workflow": "no-such-flow"}', 404),
    ("a file path", GOOD, b'{"workflow": "/etc/passwd"}', 404),
    ("bad input", GOOD, b'{"workflow": "chain", "inputs": {"seed": "many"}}', 422),
    ("unknown input", GOOD, b'{"workflow": "chain", "inputs": {"sed": 1}}', 422),
]


@pytest.mark.parametrize(("case", "headers", "body", "status"), BAD, ids=[b[0] for b in BAD])
async def test_every_other_request_gets_the_routes_answer_and_records_nothing(
    apps: Apps, case: str, headers: dict[str, str], body: bytes, status: int
) -> None:
    fast = await apps.fast.post("/api/runs", content=body, headers=headers)
    route = await apps.route.post("/api/runs", content=body, headers=headers)
    assert (fast.status_code, fast.json()) == (route.status_code, route.json()), case
    assert fast.status_code == status and {"error", "hint"} <= set(fast.json())
    assert apps.reached == ["/api/runs"]
    assert apps.runs() == 0


async def test_a_body_in_several_messages_is_read_whole_and_handed_on_whole(
    apps: Apps,
) -> None:
    async def post(chunks: list[bytes]) -> tuple[int, dict[str, Any]]:
        messages = [
            {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
            for i, chunk in enumerate(chunks)
        ]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        headers = [(k.lower().encode(), v.encode()) for k, v in GOOD.items()]
        scope = {"type": "http", "method": "POST", "path": "/api/runs", "headers": headers,
                 "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
                 "asgi": {"version": "3.0"}, "server": ("devora", 80), "client": None}  # fmt: skip
        await FastStart(apps.app, apps.state)(scope, receive, send)
        return sent[0]["status"], json.loads(b"".join(m.get("body", b"") for m in sent[1:]))

    status, answer = await post([b'{"workflow": "ch', b'ain", "inputs": {"seed": "x', b'"}}'])
    assert status == 422 and answer["fields"][0]["field"] == "seed"  # the route saw it all
    status, answer = await post([b'{"workflow": "ch', b'ain", "inputs": {"seed": 2}}'])
    assert status == 201 and answer["inputs"]["seed"] == 2
    assert apps.runs() == 1
