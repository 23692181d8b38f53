"""Incident tests: a real web app, webhook receivers and the real `devora` command."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from incident_service import HealthApp, IncidentProject

from devora.store import Store, open_store
from tests.cli.harness import Devora
from tests.notify.receiver import Receiver


@pytest.fixture
def devora(tmp_path: Path) -> Devora:
    """The real `devora` command with a store of its own, run from tmp_path."""
    return Devora(home=tmp_path / ".devora")


@pytest.fixture
def store(devora: Devora) -> Iterator[Store]:
    """The same store, opened here first (so the schema exists before any subprocess)."""
    with open_store(home=devora.home) as opened:
        yield opened


@pytest.fixture
def app(tmp_path: Path) -> Iterator[HealthApp]:
    """The service, broken: its health check fails until the runbook restarts it."""
    with HealthApp(tmp_path / "api-healthy") as service:
        service.break_it()
        yield service


@pytest.fixture
def hooks() -> Iterator[dict[str, Receiver]]:
    """A webhook receiver per squad that may be paged."""
    with Receiver() as devops, Receiver() as backend:
        yield {"devops": devops, "backend": backend}


@pytest.fixture
def project(tmp_path: Path, app: HealthApp, hooks: dict[str, Receiver]) -> IncidentProject:
    """devora.toml for service "api": SEV2 pages devops, then backend; restart mends it."""
    project = IncidentProject(
        root=tmp_path,
        health_url=app.url,
        marker=app.marker,
        hooks={squad: receiver.url for squad, receiver in hooks.items()},
    )
    project.write()
    return project
