"""Webhooks in: `POST /hooks/alertmanager`, `/hooks/grafana`, `/hooks/github`.

No API token here: each sender proves itself with its own secret (GitHub's HMAC
signature, a bearer secret for the others). Answers: 202 accepted or ignored, 200 for a
delivery seen before, 401 bad signature, 400 malformed body; never a 5xx for a body.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from devora.errors import DevoraError
from devora.server._errors import error_response, status_for
from devora.server._state import ServerState
from devora.webhooks import (
    WebhookAnswer,
    WebhookError,
    load_webhooks_config,
    receive_alerts,
    receive_github,
    verify_bearer,
    verify_github,
)

__all__ = ["router"]

_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "a delivery seen before: nothing started"},
    202: {"description": "accepted (runs started, notes added) or ignored"},
    400: {"description": "malformed body"},
    401: {"description": "bad or missing signature"},
}


def router(state: ServerState) -> APIRouter:
    """The webhook routes, reading their secrets from the environment at each request."""
    routes = APIRouter(prefix="/hooks", tags=["webhooks"])
    settings = load_webhooks_config(state.config)

    async def start(workflow: str, inputs: dict[str, Any]) -> str:
        run = await state.runner.start(state.workflow(workflow), inputs)
        return run.id

    def answer(result: WebhookAnswer) -> JSONResponse:
        return JSONResponse(result.model_dump(mode="json"), status_code=result.status)

    def refused(error: DevoraError) -> JSONResponse:
        status = error.status if isinstance(error, WebhookError) else status_for(error)
        return error_response(status, error.message, error.hint, error.code)

    async def alerts(source: str, request: Request) -> JSONResponse:
        config = getattr(settings, source)
        body = await request.body()
        try:
            verify_bearer(source, config.secret(), config.secret_env, request.headers)
            result = await receive_alerts(source, config, state.config, state.store, body, start)
        except DevoraError as error:
            return refused(error)
        return answer(result)

    @routes.post("/alertmanager", responses=_ANSWERS, summary="Alertmanager notifications")
    async def alertmanager(request: Request) -> JSONResponse:
        """Firing alerts start incident-response runs; resolved ones add a note."""
        return await alerts("alertmanager", request)

    @routes.post("/grafana", responses=_ANSWERS, summary="Grafana alerting notifications")
    async def grafana(request: Request) -> JSONResponse:
        """Firing alerts start incident-response runs; resolved ones add a note."""
        return await alerts("grafana", request)

    @routes.post("/github", responses=_ANSWERS, summary="GitHub push and pull_request events")
    async def github(request: Request) -> JSONResponse:
        """A push or a pull request starts the gate on its commit (commit-gate)."""
        config = settings.github
        body = await request.body()
        try:
            verify_github(
                config.secret(),
                config.secret_env,
                body,
                request.headers.get("x-hub-signature-256"),
            )
            result = await receive_github(config, state.store, request.headers, body, start)
        except DevoraError as error:
            return refused(error)
        return answer(result)

    return routes
