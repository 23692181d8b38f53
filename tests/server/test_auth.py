"""The bearer token: every route but /health needs it; its file is private; 127.0.0.1."""

from __future__ import annotations

import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from devora.server import load_api_token
from devora.server._auth import WeakTokenError
from tests.server.conftest import LiveServer, server_env

ROUTES = [
    ("GET", "/api/workflows"),
    ("GET", "/api/runs"),
    ("POST", "/api/runs"),
    ("GET", "/api/runs/x"),
    ("GET", "/api/runs/x/events"),
    ("POST", "/api/runs/x/cancel"),
    ("POST", "/api/runs/x/resume"),
    ("POST", "/api/runs/x/steps/y/approve"),
    ("POST", "/api/runs/x/steps/y/reject"),
    ("POST", "/api/runs/x/steps/y/complete"),
    ("GET", "/api/runs/x/artifacts/report.md"),
]


def test_routes_need_the_token(server: LiveServer) -> None:
    wrong = ({}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": "x"})
    for method, path in ROUTES:
        for headers in wrong:
            response = httpx.request(method, server.base_url + path, headers=headers, json={})
            assert response.status_code == 401, (method, path, headers, response.text)
            body = response.json()
            assert body["code"] == "not_authenticated" and body["hint"]
            assert response.headers["www-authenticate"] == "Bearer"


def test_health_needs_no_token_and_the_server_binds_localhost(server: LiveServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    assert httpx.get(server.base_url + "/health").json() == {"status": "ok"}
    assert httpx.get(server.base_url + "/api/runs", headers=server.headers).status_code == 200


def test_a_token_file_is_created_private_on_first_start(
    tmp_path: Path, start_server: Callable[..., LiveServer]
) -> None:
    server = start_server(token=None)
    path = tmp_path / ".devora" / "api-token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(server.token) >= 32
    assert server.client().get("/api/runs").status_code == 200
    server.stop()
    again = start_server(token=None)  # the same token on the next start
    assert again.token == server.token


def test_api_token_matches_in_constant_time_and_refuses_near_misses(tmp_path: Path) -> None:
    token = load_api_token(tmp_path, "me", env={"DEVORA_API_TOKEN": "a" * 20})
    assert token.matches("a" * 20) and token.source == "DEVORA_API_TOKEN"
    assert not token.matches("a" * 19) and not token.matches("") and not token.matches(None)
    loose = tmp_path / "home"
    loose.mkdir()
    (loose / "api-token").write_text("b" * 40)
    (loose / "api-token").chmod(0o644)
    assert load_api_token(loose, "me", env={}).secret == "b" * 40
    assert stat.S_IMODE((loose / "api-token").stat().st_mode) == 0o600
    with pytest.raises(WeakTokenError):
        load_api_token(tmp_path, "me", env={"DEVORA_API_TOKEN": "short"})


def test_a_weak_token_stops_the_server_with_exit_code_2(tmp_path: Path) -> None:
    env = server_env(tmp_path / ".devora", tmp_path / "counter", DEVORA_API_TOKEN="short")
    result = subprocess.run(
        [sys.executable, "-m", "devora", "serve", "--port", "0"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "DEVORA_API_TOKEN is shorter than 16" in result.stderr and "Hint:" in result.stderr
