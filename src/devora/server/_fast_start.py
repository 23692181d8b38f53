"""`POST /api/runs` without FastAPI's per-request machinery, for a valid request only.

Under a burst of starts the server's cost per request is what the last one waits for
(benchmarks/serve.py); FastAPI's dependency solving, body handling and response
serialization were half of it. This middleware answers a start that is valid in every
respect itself: the bearer token, a JSON body that is a `StartRun`, a workflow the server
offers, inputs the workflow accepts (`Runner.check`, as the CLI checks them). Anything
else, it hands to the FastAPI route with the same bytes, which answers exactly as before
(401, 404, 422 naming the field...): nothing is recorded before that point, so the route
sees what this saw. The route stays the one the OpenAPI document describes.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from pydantic import ValidationError

from devora.errors import DevoraError
from devora.server._api_runs import StartRun, started_run
from devora.server._errors import devora_error_response
from devora.server._state import ServerState

__all__ = ["FastStart"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_PATH = "/api/runs"
_MAX_BODY = 1 << 20  # a larger body goes to FastAPI, which reads it as it always has


class FastStart:
    """ASGI middleware: answers a valid `POST /api/runs` itself, hands the rest on."""

    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != _PATH:
            await self.app(scope, receive, send)
            return
        messages, complete = await _read_body(receive)
        body = b"".join(message.get("body", b"") for message in messages)
        request = await self._accepted(scope, body) if complete else None
        if request is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        try:
            run = await self.state.runner.record(
                request[1], request[0].inputs, dry_run=request[0].dry_run
            )
        except DevoraError as error:  # the store's: the route would answer the same
            await devora_error_response(error)(scope, receive, send)
            return
        answer = started_run(self.state.runner, run).model_dump_json().encode()
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(answer)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    async def _accepted(self, scope: Scope, body: bytes) -> tuple[StartRun, Any] | None:
        """The request and its workflow when every check passes; None to let FastAPI answer."""
        headers = _headers(scope)
        scheme, _, credentials = headers.get(b"authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not self.state.token.matches(credentials):
            return None
        media_type = headers.get(b"content-type", "").partition(";")[0].strip().lower()
        if media_type != "application/json" or not body:
            return None
        try:
            request = StartRun.model_validate(json.loads(body))
            workflow = await self.state.load_workflow(request.workflow)
            await self.state.runner.check(workflow, request.inputs)
        except (ValueError, ValidationError, DevoraError):  # JSONDecodeError is a ValueError
            return None
        return request, workflow


def _headers(scope: Scope) -> dict[bytes, str]:
    """The request's headers by lower-case name, the first of each (as Starlette reads)."""
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        found.setdefault(bytes(name).lower(), bytes(value).decode("latin-1"))
    return found


async def _read_body(receive: Receive) -> tuple[list[Message], bool]:
    """The messages that carry the body, and whether they are all of it (False past
    `_MAX_BODY`, or when the client went away)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, False
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            return messages, True
        if size > _MAX_BODY:
            return messages, False


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that gives the messages already read again, then the rest as it comes."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
