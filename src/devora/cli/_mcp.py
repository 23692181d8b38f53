"""`devora mcp`: Devora's operations as an MCP server over stdio, for AI coding assistants."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the `mcp` command to the app."""
    app.command("mcp")(mcp)


def mcp() -> None:
    """Serve Devora's tools over MCP on stdin/stdout (list workflows, start a run, status,
    tasks, approve, reject, complete); runs go on in the background, outliving the session."""
    from devora.cli._mcp_server import build_server

    build_server().run("stdio")
