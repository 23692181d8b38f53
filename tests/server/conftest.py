"""A real `devora serve` (uvicorn, in its own process) on a free port with a temp store.

`server` gives a running server; `start_server(home)` starts one (again) on a home, so a
test can kill it and start another on the same store. Both offer the toy workflows of
tests/engine/toy_workflows.py by name (chain, gated, retrying, saga, parent, many, durable),
`reports` (tests/server/server_workflows.py: a step that keeps two artifacts), `two_gates`
(two approvals side by side) and `chatty` (a step streaming log lines).

A test that asks for `store_env` (an argument or `usefixtures`) runs twice: its servers on
SQLite in their home, then on a PostgreSQL database of its own (`DEVORA_DATABASE_URL`),
dropped afterwards; `server.open_store()` opens the same store from the test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from devora.store import Store, open_store
from tests.cli.harness import TOYS

SERVER_WORKFLOWS = str(Path(__file__).with_name("server_workflows.py"))

TOKEN = "test-token-0123456789abcdef"
TOY_NAMES = ("chain", "gated", "retrying", "saga", "parent", "many", "durable")
STARTUP_SECONDS = 30


@dataclass
class LiveServer:
    """A running `devora serve`: where it listens, its token, its home, its process."""

    base_url: str
    token: str
    home: Path
    process: subprocess.Popen[str]
    counter: Path
    database_url: str | None = None
    _clients: list[httpx.Client] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def client(self, *, token: str | None = None, timeout: float = 120) -> httpx.Client:
        """An HTTP client with the base URL and the bearer token (closed at teardown)."""
        headers = {"Authorization": f"Bearer {token or self.token}"}
        client = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)
        self._clients.append(client)
        return client

    def open_store(self) -> Store:
        """The server's store, opened from the test (SQLite in its home, or PostgreSQL)."""
        return open_store(self.database_url, self.home)

    def ran(self) -> list[str]:
        """Step ids whose toy actions really ran (across restarts)."""
        return self.counter.read_text().split() if self.counter.exists() else []

    def kill(self) -> None:
        """SIGKILL the server process (no chance to tidy up)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self) -> str:
        """SIGTERM, wait for the server to exit, and return what it printed on stderr."""
        self.process.terminate()
        _, stderr = self.process.communicate(timeout=60)
        return stderr

    def stop(self) -> None:
        """SIGTERM (what Ctrl-C or a service manager sends), then wait."""
        for client in self._clients:
            client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def server_env(home: Path, counter: Path, **extra: str) -> dict[str, str]:
    """The environment of a server process: its own home, a token, no CI leftovers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEVORA_")}
    env.update(DEVORA_HOME=str(home), DEVORA_API_TOKEN=TOKEN, TOY_COUNTER=str(counter))
    env.update(extra)
    return env


def launch(home: Path, *, token: str | None = TOKEN, **extra: str) -> LiveServer:
    """Start `devora serve --port 0` on `home`; return once /health answers."""
    counter = home.parent / "counter"
    env = server_env(home, counter, **extra)
    if token is None:
        env.pop("DEVORA_API_TOKEN")
    argv = [sys.executable, "-m", "devora", "serve", "--port", "0"]
    for name in TOY_NAMES:
        argv += ["--workflow", f"{TOYS}:{name}"]
    for name in ("reports", "chatty", "two_gates"):
        argv += ["--workflow", f"{SERVER_WORKFLOWS}:{name}"]
    home.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        argv,
        env=env,
        cwd=home.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # "devora serve: listening on http://127.0.0.1:PORT"
    if "listening on " not in line:
        process.kill()
        _, stderr = process.communicate(timeout=10)
        pytest.fail(f"devora serve did not start: {line}{stderr}")
    base_url = line.split("listening on ", 1)[1].strip()
    live = LiveServer(base_url, token or "", home, process, counter, env.get("DEVORA_DATABASE_URL"))
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + "/health", timeout=2).status_code == 200:
                if token is None:
                    live.token = (home / "api-token").read_text().strip()
                return live
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            pytest.fail(f"devora serve exited: {process.stderr.read() if process.stderr else ''}")
        time.sleep(0.05)
    live.stop()
    pytest.fail("devora serve did not answer /health in time")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """The servers' store: SQLite in their home, or a fresh PostgreSQL database (CI rule)."""
    if request.param == "sqlite":
        return {}
    return {"DEVORA_DATABASE_URL": str(request.getfixturevalue("pg_url"))}


@pytest.fixture
def start_server(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., LiveServer]]:
    """Start servers on a home (tmp_path/.devora by default); all stopped at teardown.

    With `store_env` among the test's fixtures, every server uses that store (set up
    before the servers, so a PostgreSQL database is dropped only after they stopped).
    """
    store: dict[str, str] = (
        request.getfixturevalue("store_env") if "store_env" in request.fixturenames else {}
    )
    started: list[LiveServer] = []

    def start(home: Path | None = None, **kwargs: str | None) -> LiveServer:
        live = launch(home or tmp_path / ".devora", **{**store, **kwargs})  # type: ignore[arg-type]
        started.append(live)
        return live

    yield start
    for live in started:
        live.stop()


@pytest.fixture
def server(start_server: Callable[..., LiveServer]) -> LiveServer:
    """A running server on a fresh store; token in `server.token`, URL in `server.base_url`."""
    return start_server()


@pytest.fixture
def api(server: LiveServer) -> httpx.Client:
    """An authenticated client of `server`."""
    return server.client()


def wait_for_status(
    client: httpx.Client, run_id: str, statuses: set[str], timeout: float = 30
) -> dict[str, object]:
    """Poll the run's detail until its status is one of `statuses`; return the detail."""
    deadline = time.monotonic() + timeout
    detail: dict[str, object] = {}
    while time.monotonic() < deadline:
        detail = client.get(f"/api/runs/{run_id}").json()
        if detail.get("status") in statuses:
            return detail
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} stayed {detail.get('status')}, wanted {statuses}")
