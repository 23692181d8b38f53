"""Serving the app with uvicorn on a socket bound here (so `--port 0` reports its port)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from fastapi import FastAPI

__all__ = ["serve"]


def serve(
    app: FastAPI,
    *,
    host: str = "127.0.0.1",
    port: int = 8800,
    announce: Callable[[str], None] | None = None,
    on_stop: Callable[[], None] | None = None,
) -> None:
    """Serve `app` until SIGINT/SIGTERM; `announce` gets the URL once the socket is bound.

    `on_stop` is called in the server's loop at the first signal, before uvicorn waits
    (up to 5 s) for the open responses to end: what never ends by itself (a live event
    stream) ends there, and the server stops at once.
    """
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
    _server(config, on_stop).run(sockets=[sock])


def _server(config: Any, on_stop: Callable[[], None] | None) -> Any:
    """A uvicorn.Server that calls `on_stop` in its loop at the first SIGINT/SIGTERM."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            # A signal handler, run in the loop's thread between two of its steps.
            if on_stop is not None and not self.should_exit:
                with contextlib.suppress(RuntimeError):  # no loop yet: nothing to end
                    asyncio.get_running_loop().call_soon_threadsafe(on_stop)
            super().handle_exit(sig, frame)

    return Server(config)


def _print(url: str) -> None:
    print(f"devora serve: listening on {url}", flush=True, file=sys.stdout)
