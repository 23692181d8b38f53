"""`devora serve`: the HTTP API (FastAPI), live events over SSE, runs in the server's loop.

Layer: the server imports workflows, squads, engine and store, never the reverse.

Plug points. `create_app` includes the router of each module of this package listed in
`PLUGGED_ROUTERS` (`devora.server._dashboard`, `devora.server._webhooks`) when it exists.
Such a module exposes::

    def router(state: ServerState) -> fastapi.APIRouter: ...

`ServerState` (``_state.py``) holds what they share:

- ``state.store`` — the open `Store` (its ``location.home`` is Devora's home);
- ``state.config`` — the `DevoraConfig` loaded at start;
- ``state.runner`` — the `Runner`: ``await runner.start(workflow, raw_inputs, dry_run=...)``
  validates exactly as the CLI does, records the run and queues it for the server's loop;
  ``await runner.resume(run_id, workflow)``; ``with runner.subscribe(run_id)`` /
  ``runner.poke`` for live views;
- ``state.workflow(name)`` — a workflow a request may name (built-ins, plugins, the
  server's ``--workflow`` files; never a path from a request);
- ``state.require_token`` — the bearer-token dependency (``Depends(state.require_token)``,
  gives the token owner's OS account); ``state.check_token(text)`` for a token found
  elsewhere (a cookie); answers go through `devora.squads.record_answer` with
  ``account=state.token.owner``.

Errors: raise a `DevoraError`; the app answers ``{"error", "hint", "code"}`` with the
status of its family (``_errors.status_for``).
"""

from __future__ import annotations

from devora.server._app import PLUGGED_ROUTERS, create_app
from devora.server._auth import ApiToken, load_api_token
from devora.server._runner import Runner
from devora.server._serve import serve
from devora.server._state import ServerState

__all__ = [
    "PLUGGED_ROUTERS",
    "ApiToken",
    "Runner",
    "ServerState",
    "create_app",
    "load_api_token",
    "serve",
]
