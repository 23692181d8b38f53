"""The dashboard: pages under /ui, and the few routes they need beyond the API.

Authentication, and why there is no CSRF to defend against: the login form keeps the API
token in the tab's sessionStorage, and the pages call the API with it in the
Authorization header. No cookie is ever set, so a request another site makes the browser
send carries no credential. The one thing a header cannot reach is `EventSource`: for it
the page asks (with the token) for a stream ticket, an HMAC bound to one run and valid for
ten minutes, and opens `/ui/stream/RUN?ticket=...`, which can only read that run's events.
The pages load no inline script (Content-Security-Policy `script-src 'self'`), Markdown
artifacts are rendered here with raw HTML escaped, and HTML reports are shown in an
`<iframe sandbox>` (no scripts, an opaque origin: no access to the token).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel

from devora.server._api_runs import _inside
from devora.server._artifact_view import ArtifactPreview, preview_artifact
from devora.server._auth import NotAuthenticatedError
from devora.server._charts import chart_series, render_svg
from devora.server._errors import ArtifactNotFoundError
from devora.server._sse import follow_events
from devora.server._state import ServerState
from devora.store import EventKind, RunRecord, Store

__all__ = ["router"]

TICKET_SECONDS = 600
CHART_RUNS = 1000  # the newest runs the charts read
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_STATIC_TYPES = {".js": "text/javascript", ".css": "text/css"}
_PACKAGE = files("devora.server")


class GraphNode(BaseModel):
    """A step of the run's graph: its squad, what it needs, its latest status."""

    id: str
    squad: str | None
    needs: list[str]
    status: str


class Ticket(BaseModel):
    """A stream ticket: the URL EventSource opens for one run, and when it stops working."""

    url: str
    expires_at: float


class Chart(BaseModel):
    """One chart: a figure of a workflow on a project, as inline SVG."""

    workflow: str
    project: str
    figure: str
    points: int
    svg: str


def router(state: ServerState) -> APIRouter:
    """The dashboard's pages (no token: they hold no data) and its data routes (token)."""
    ui = APIRouter(prefix="/ui", include_in_schema=False)
    data = APIRouter(prefix="/api", tags=["dashboard"], dependencies=[Depends(state.require_token)])
    key = secrets.token_bytes(32)  # tickets die with the server that signed them
    store = state.store

    @ui.get("", response_class=HTMLResponse)
    @ui.get("/", response_class=HTMLResponse)
    async def runs_page() -> Response:
        return _page("runs.html", "Devora · runs", "runs.js")

    @ui.get("/runs/{run_id}", response_class=HTMLResponse)
    async def run_page(run_id: str) -> Response:
        return _page("run.html", "Devora · run", "schema_form.js", "run.js")

    @ui.get("/charts", response_class=HTMLResponse)
    async def charts_page() -> Response:
        return _page("charts.html", "Devora · charts", "charts.js")

    @ui.get("/static/{name}")
    async def static(name: str) -> Response:
        media_type = _STATIC_TYPES.get(Path(name).suffix)
        resource = _PACKAGE / "static" / name
        if media_type is None or "/" in name or not resource.is_file():
            return Response(status_code=404)
        return Response(resource.read_bytes(), media_type=media_type, headers=SECURITY_HEADERS)

    @ui.get("/stream/{run_id}")
    async def stream(
        run_id: str,
        ticket: Annotated[str, Query(max_length=400)] = "",
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        last_event_id: Annotated[int | None, Header(alias="Last-Event-ID", ge=0, le=2**62)] = None,
    ) -> StreamingResponse:
        if not _ticket_valid(key, ticket, run_id):
            raise NotAuthenticatedError()
        await store.call(store.get_run, run_id)
        return StreamingResponse(
            follow_events(state, run_id, max(after, last_event_id or 0), follow=True),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @data.post("/runs/{run_id}/ticket")
    async def ticket(run_id: str) -> Ticket:
        run = await store.call(store.get_run, run_id)
        expires = time.time() + TICKET_SECONDS
        value = _sign(key, run.id, expires)
        return Ticket(url=f"/ui/stream/{run.id}?ticket={value}", expires_at=expires)

    @data.get("/runs/{run_id}/graph")
    async def graph(run_id: str) -> list[GraphNode]:
        return await store.call(_graph, store, run_id)

    @data.get("/runs/{run_id}/artifacts/{name}/preview")
    async def preview(run_id: str, name: str) -> ArtifactPreview:
        run = await store.call(store.get_run, run_id)
        records = {a.name: a for a in await store.call(store.artifacts, run.id)}
        record = records.get(name)
        path = None if record is None else _inside(store.artifact_dir(run.id), Path(record.path))
        if record is None or path is None:
            raise ArtifactNotFoundError(run.id, name)
        return await store.call(preview_artifact, name, path, record.media_type)

    @data.get("/charts")
    async def charts(
        workflow: Annotated[str | None, Query(max_length=200)] = None,
    ) -> list[Chart]:
        def read(store: Store) -> list[RunRecord]:
            return store.list_runs(workflow=workflow, top_level_only=True, limit=CHART_RUNS)

        series = chart_series(await store.call(read, store))
        return [
            Chart(
                workflow=s.workflow,
                project=s.project,
                figure=s.figure,
                points=len(s.points),
                svg=render_svg(s),
            )
            for s in series
        ]

    ui.include_router(data)
    return ui


def _page(name: str, title: str, *scripts: str) -> Response:
    """The page `name` inside the layout (header, login form), with its own scripts."""
    templates = _PACKAGE / "templates"
    tags = "".join(f'<script src="/ui/static/{s}" defer></script>\n' for s in scripts)
    html = (
        templates.joinpath("layout.html")
        .read_text(encoding="utf-8")
        .replace("{{title}}", title)
        .replace("{{scripts}}", tags)
        .replace("{{content}}", templates.joinpath(name).read_text(encoding="utf-8"))
    )
    return HTMLResponse(html, headers=SECURITY_HEADERS)


def _graph(store: Store, run_id: str) -> list[GraphNode]:
    """The steps as the run recorded them when it was created, with their latest status."""
    run = store.get_run(run_id)
    created = store.events(run.id, kinds=[EventKind.RUN_CREATED], limit=1)
    steps: list[dict[str, Any]] = created[0].data.get("steps", []) if created else []
    latest: dict[str, str] = {}
    for event in store.events(
        run.id,
        kinds=[EventKind.STEP_STARTED, EventKind.STEP_FINISHED, EventKind.STEP_WAITING],
    ):
        if event.step_id is not None:
            latest[event.step_id] = str(event.data.get("status", "running"))
    return [
        GraphNode(
            id=str(step["id"]),
            squad=step.get("squad"),
            needs=[str(n) for n in step.get("needs", [])],
            status=latest.get(str(step["id"]), "pending"),
        )
        for step in steps
    ]


def _sign(key: bytes, run_id: str, expires: float) -> str:
    message = f"{run_id}\n{int(expires)}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    token = f"{int(expires)}.".encode() + base64.urlsafe_b64encode(digest).rstrip(b"=")
    return token.decode()


def _ticket_valid(key: bytes, ticket: str, run_id: str) -> bool:
    expires_text, _, _ = ticket.partition(".")
    if not expires_text.isdigit() or int(expires_text) < time.time():
        return False
    return hmac.compare_digest(_sign(key, run_id, int(expires_text)), ticket)
