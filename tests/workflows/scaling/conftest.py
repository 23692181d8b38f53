"""Scaling tests: the test web app on 127.0.0.1, Locust installed, a store per test."""

from __future__ import annotations

import importlib.util
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.harness import Devora
from tests.conftest import require
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
def locust_installed() -> None:
    """Locust is importable by the Python that runs Devora."""
    require(
        importlib.util.find_spec("locust") is not None,
        "locust is not installed (pip install locust)",
    )


@pytest.fixture
def unused_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
