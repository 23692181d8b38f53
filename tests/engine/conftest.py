"""Engine test fixtures: a real store per test (SQLite, and PostgreSQL where asked)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from devora.engine import Engine, EventBus
from devora.store import (
    AttemptRecord,
    Event,
    JournalBatch,
    Phase,
    RunStatus,
    RunUpdate,
    StepStatus,
    Store,
    open_store,
)


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh store on SQLite, then on PostgreSQL (one schema per test)."""
    if request.param == "sqlite":
        store = open_store(home=tmp_path / ".devora")
        yield store
        store.close()
        return
    url = request.getfixturevalue("postgres_url")
    with pg_schema(url) as schema_url:
        store = open_store(url=schema_url, home=tmp_path / ".devora")
        yield store
        store.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh SQLite store in a temp dir."""
    store = open_store(home=tmp_path / ".devora")
    yield store
    store.close()


def journal_then_die(
    store: Store, run_id: str, attempts: list[tuple[str, Phase, StepStatus, Any, Any]]
) -> None:
    """Journal (step, phase, status, output, error) attempts of a running run, as a process
    that then died would have left them."""
    store.write(
        JournalBatch(
            attempts=[
                AttemptRecord(
                    run_id=run_id,
                    step_id=step_id,
                    attempt=2 if phase is Phase.COMPENSATE else 1,
                    phase=phase,
                    status=status,
                    output=output,
                    error=error,
                    seq=10 + n,
                )
                for n, (step_id, phase, status, output, error) in enumerate(attempts)
            ],
            runs=[RunUpdate(run_id=run_id, status=RunStatus.RUNNING)],
        )
    )


class Recorder:
    """Collects published events."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def kinds(self, step_id: str | None = None) -> list[str]:
        return [e.kind.value for e in self.events if step_id is None or e.step_id == step_id]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def engine(store: Store, recorder: Recorder) -> Engine:
    bus = EventBus()
    bus.subscribe(recorder)
    return Engine(store, bus=bus)


class pg_schema:
    """A PostgreSQL schema made for one test and dropped after; yields a URL that uses it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = "devora_test_" + uuid.uuid4().hex[:10]

    def __enter__(self) -> str:
        engine = sa.create_engine(self.url)
        with engine.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{self.name}"'))
        engine.dispose()
        separator = "&" if "?" in self.url else "?"
        return f"{self.url}{separator}options=-csearch_path%3D{self.name}"

    def __exit__(self, *exc: object) -> None:
        engine = sa.create_engine(self.url)
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{self.name}" CASCADE'))
        engine.dispose()
