"""Starting a real web application: healthy, exited, silent, and always stopped."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
import pytest

from devora.tools.webapp import AppStartError, free_port, open_app, start_detached

APP = """
import os
from fastapi import FastAPI

app = FastAPI()

@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "greeting": os.environ.get("GREETING", "")}
"""


def _uvicorn(port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "tinyapp:app", "--host", "127.0.0.1",
            "--port", str(port)]  # fmt: skip


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is not serving: only a process that still runs counts.
    state = (
        Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}").exists() else "Z"
    )
    return state != "Z"


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    (tmp_path / "tinyapp.py").write_text(APP)
    return tmp_path


async def test_a_healthy_app_is_yielded_then_stopped(app_dir: Path) -> None:
    port = free_port()
    async with open_app(_uvicorn(port), cwd=app_dir, port=port, env={"GREETING": "hi"}) as app:
        assert app.url == f"http://127.0.0.1:{port}"
        assert app.health_status == 200
        answer = httpx.get(f"{app.url}/health").json()
        assert answer == {"status": "ok", "greeting": "hi"}
        pid = app.pid
    assert not _alive(pid)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)


async def test_an_app_that_exits_is_an_error_with_its_output(app_dir: Path) -> None:
    port = free_port()
    argv = [sys.executable, "-c", "import sys; print('boom: no config'); sys.exit(3)"]
    with pytest.raises(AppStartError) as caught:
        async with open_app(argv, cwd=app_dir, port=port):
            pytest.fail("an app that exited was yielded")
    assert "exited with status 3" in caught.value.message
    assert "boom: no config" in caught.value.output_tail
    assert caught.value.exit_code != 0


async def test_an_app_without_a_health_check_times_out_and_is_stopped(app_dir: Path) -> None:
    port = free_port()
    argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    with pytest.raises(AppStartError) as caught:
        async with open_app(argv, cwd=app_dir, port=port, start_within=1.5):
            pytest.fail("an app whose /health is 404 was yielded")
    assert "did not answer 2xx within 1.5 s" in caught.value.message
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


async def test_a_detached_app_keeps_running_until_killed(app_dir: Path) -> None:
    port = free_port()
    log = app_dir / "app.log"
    app = await start_detached(_uvicorn(port), cwd=app_dir, port=port, log=log)
    try:
        assert httpx.get(f"{app.url}/health").status_code == 200
        assert _alive(app.pid)
    finally:
        os.killpg(app.pid, 15)
    assert "Uvicorn running" in log.read_text() or "Application startup complete" in log.read_text()
