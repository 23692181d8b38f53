"""A small real web app for incident tests, and the devora.toml that points at it.

The app answers GET /health with 200 while its marker file exists and 503 otherwise, so a
test breaks it by deleting the marker, and the runbook's "restart" command (a real
process) mends it by creating the marker again.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RESTART_SCRIPT = "import pathlib, sys; pathlib.Path(sys.argv[1]).touch(); print('restarted')"


class HealthApp:
    """GET /health: 200 while `marker` exists, 503 otherwise. Counts the checks."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker
        self.checks = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.checks += 1
                healthy = self.path == "/health" and owner.marker.exists()
                body = b"ok" if healthy else b"unavailable"
                self.send_response(200 if healthy else 503)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,))
        self._thread.daemon = True

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/health"

    @property
    def healthy(self) -> bool:
        return self.marker.exists()

    def break_it(self) -> None:
        self.marker.unlink(missing_ok=True)

    def __enter__(self) -> HealthApp:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/health"


@dataclass
class IncidentProject:
    """A devora.toml with one service ("api"), its runbook, and the squads' webhooks."""

    root: Path
    health_url: str
    marker: Path
    hooks: dict[str, str] = field(default_factory=dict)
    levels: list[tuple[list[str], float]] = field(
        default_factory=lambda: [(["devops"], 0.5), (["backend"], 0.5)]
    )
    risky_restart: bool = False
    healthy_checks: int = 2
    health_timeout: float = 15.0
    extra: str = ""

    def write(self) -> Path:
        lines = []
        for squad, url in self.hooks.items():
            lines += [
                f"[[squads.{squad}.contacts]]",
                f'name = "{squad}-hook"',
                f"url = {json.dumps(url)}",
                'events = ["run.failed", "approval.needed", "incident.declared"]',
                "",
            ]
        level_text = ", ".join(
            f"{{ squads = {json.dumps(squads)}, ack_minutes = {minutes} }}"
            for squads, minutes in self.levels
        )
        restart = [sys.executable, "-c", RESTART_SCRIPT, str(self.marker)]
        lines += [
            "[incident.escalation.SEV2]",
            f"levels = [{level_text}]",
            "",
            "[incident.services.api]",
            f"health_url = {json.dumps(self.health_url)}",
            f"healthy_checks = {self.healthy_checks}",
            "health_interval = 0.1",
            f"health_timeout = {self.health_timeout}",
            "request_timeout = 1",
            "",
            "[[incident.services.api.runbook]]",
            'name = "status"',
            f"argv = {json.dumps([sys.executable, '-c', 'print(42)'])}",
            "",
            "[[incident.services.api.runbook]]",
            'name = "restart"',
            f"argv = {json.dumps(restart)}",
            f"risky = {'true' if self.risky_restart else 'false'}",
            'description = "restart the api (creates its marker)"',
            "timeout = 30",
            "",
            self.extra,
        ]
        path = self.root / "devora.toml"
        path.write_text("\n".join(lines), encoding="utf-8")
        return path


def pages(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The incident pages among the notifications a receiver got."""
    return [body for body in bodies if str(body.get("event", "")).startswith("incident.")]
