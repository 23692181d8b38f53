"""Start a web application, wait until its health check answers, stop it afterwards.

    async with open_app(argv, cwd=root, port=port) as app:
        httpx.get(f"{app.url}/items")

The process runs in its own session (so stopping it stops its workers too) and writes its
output to a log file, never to a pipe nobody reads: `app.output_tail()` is the evidence
when something goes wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from devora.tools._subprocess import start_in_own_session, tail
from devora.tools.webapp._errors import AppStartError

__all__ = ["RunningApp", "free_port", "open_app", "start_detached", "wait_for_health"]

_POLL = 0.1
_STOP_GRACE = 5.0


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class RunningApp:
    """A started application: where it answers, its process, where its output goes."""

    url: str
    pid: int
    argv: tuple[str, ...]
    log: Path
    health_status: int
    started_in: float

    def output_tail(self, lines: int = 20) -> str:
        """The last lines the application printed."""
        return _read_tail(self.log, lines)


def _read_tail(log: Path, lines: int = 20) -> str:
    try:
        return tail(log.read_text(encoding="utf-8", errors="replace"), lines)
    except FileNotFoundError:
        return ""


async def wait_for_health(
    url: str, *, within: float, exited: Callable[[], int | None] | None = None
) -> int:
    """Poll `url` until it answers 2xx; its status. TimeoutError when late, ProcessLookupError
    when the process `exited()` says has ended did so first."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(timeout=2.0) as client:
        while True:
            status = exited() if exited is not None else None
            if status is not None:
                raise ProcessLookupError(status)
            with contextlib.suppress(httpx.HTTPError):
                response = await client.get(url)
                if response.is_success:
                    return response.status_code
            if time.monotonic() > deadline:
                raise TimeoutError(url)
            await asyncio.sleep(_POLL)


@contextlib.asynccontextmanager
async def open_app(
    argv: Sequence[str],
    *,
    cwd: Path,
    port: int,
    env: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
    health_path: str = "/health",
    start_within: float = 60.0,
) -> AsyncIterator[RunningApp]:
    """Start argv (which serves on `port`), yield once `health_path` answers 2xx, then stop it.

    AppStartError (with the output's tail) when it exits or stays silent past `start_within`.
    """
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="devora-app-") as scratch:
        log = Path(scratch) / "app.log"
        process = await _spawn(argv, cwd, env, log)
        try:
            url = f"http://{host}:{port}"
            status = await _healthy(
                lambda: process.returncode, argv, url + health_path, log, start_within
            )
            yield RunningApp(
                url=url,
                pid=process.pid,
                argv=tuple(argv),
                log=log,
                health_status=status,
                started_in=round(time.monotonic() - started, 3),
            )
        finally:
            await _stop(process)


async def _spawn(
    argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None, log: Path
) -> asyncio.subprocess.Process:
    # Its own session: stopping the group stops the workers a server forks too.
    with log.open("wb") as output:
        return await start_in_own_session(
            argv,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )


async def _healthy(
    exited: Callable[[], int | None],
    argv: Sequence[str],
    url: str,
    log: Path,
    within: float,
) -> int:
    try:
        return await wait_for_health(url, within=within, exited=exited)
    except ProcessLookupError as error:
        problem = f"it exited with status {error.args[0]} before {url} answered"
    except TimeoutError:
        problem = f"{url} did not answer 2xx within {within:g} s"
    raise AppStartError(problem, argv=tuple(argv), output_tail=_read_tail(log))


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), _STOP_GRACE)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.wait()


def _popen_detached(
    argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None, log: Path
) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            list(argv),
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


async def start_detached(
    argv: Sequence[str],
    *,
    cwd: Path,
    port: int,
    log: Path,
    env: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
    health_path: str = "/health",
    start_within: float = 60.0,
) -> RunningApp:
    """Start argv so that it keeps running after Devora exits (a local deployment).

    Its output goes to `log`; AppStartError (and the process stopped) when it is not healthy.
    A plain Popen, not an asyncio child: the event loop that started it ends with the run,
    and must not be left watching a process meant to outlive it.
    """
    started = time.monotonic()
    process = await asyncio.to_thread(_popen_detached, argv, cwd, env, log)
    url = f"http://{host}:{port}"
    try:
        status = await _healthy(process.poll, argv, url + health_path, log, start_within)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await asyncio.to_thread(process.wait)
        raise
    return RunningApp(
        url=url,
        pid=process.pid,
        argv=tuple(argv),
        log=log,
        health_status=status,
        started_in=round(time.monotonic() - started, 3),
    )
