"""`devora serve`: the HTTP API (and what plugs into it) on 127.0.0.1 by default."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add `devora serve` to the app."""
    app.command()(serve)


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (another machine needs 0.0.0.0).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8800,
    workflow: Annotated[
        list[str] | None,
        typer.Option(
            "--workflow",
            help="Also offer the workflow of path/to/file.py:NAME by its name (repeatable).",
        ),
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option(min=1, help="Most steps running at once, per run.")
    ] = None,
    max_runs: Annotated[
        int | None,
        typer.Option(
            min=1,
            envvar="DEVORA_SERVE_MAX_RUNS",
            help="Most runs executing at once; the others wait, pending, in order "
            "(default: 4 per core, at least 8).",
        ),
    ] = None,
) -> None:
    """Serve the REST API with live events (SSE); runs started there execute in the server.

    Every route but /health needs `Authorization: Bearer TOKEN`: DEVORA_API_TOKEN, or the
    token created (mode 0600) in Devora's home as `api-token` on first start.
    """
    from devora.cli._common import console
    from devora.server import create_app
    from devora.server import serve as run_server

    app = create_app(workflows=workflow or (), concurrency=concurrency, max_runs=max_runs)
    token = app.state.devora.token

    def announce(url: str) -> None:
        console().print(f"devora serve: listening on {url}", soft_wrap=True)
        console().print(f"token: {token.source}", soft_wrap=True)

    run_server(
        app, host=host, port=port, announce=announce, on_stop=app.state.devora.runner.end_streams
    )
