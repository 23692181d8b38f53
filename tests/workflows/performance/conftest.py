"""Performance audit tests: a real web app on 127.0.0.1 and a store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.harness import Devora
from tests.workflows.performance.perf_webapp import WebApp, serve_webapp


@pytest.fixture
def webapp() -> Iterator[WebApp]:
    """The test web app, running."""
    with serve_webapp() as app:
        yield app


@pytest.fixture
def devora(tmp_path: Path) -> Devora:
    """The real `devora` command with a store of its own, run in tmp_path."""
    return Devora(home=tmp_path / ".devora")


@pytest.fixture
def unused_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
