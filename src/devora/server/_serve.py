"""Serving the app with uvicorn on a socket bound here (so `--port 0` reports its port)."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable

from fastapi import FastAPI

__all__ = ["serve"]


def serve(
    app: FastAPI,
    *,
    host: str = "127.0.0.1",
    port: int = 8800,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Serve `app` until SIGINT/SIGTERM; `announce` gets the URL once the socket is bound."""
    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        from devora.errors import EnvironmentProblem

        raise EnvironmentProblem(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="choose another --port, or stop what listens there",
        ) from exc
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    (announce or _print)(f"http://{shown}:{bound_port}")
    # "auto": uvloop and httptools when installed (the `server` extra's uvicorn[standard]),
    # else asyncio and h11, which cost the server about twice the CPU per request.
    config = uvicorn.Config(
        app,
        loop="auto",
        http="auto",
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    uvicorn.Server(config).run(sockets=[sock])


def _print(url: str) -> None:
    print(f"devora serve: listening on {url}", flush=True, file=sys.stdout)
