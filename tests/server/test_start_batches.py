"""Starts that arrive together share one commit (`Runner.record`): all recorded, in order,
or none; a start alone, or with a chosen run id, commits on its own.

In process on a real SQLite store. A commit appends the pages it changed to the WAL file,
so a shared commit shows as far fewer frames written than one commit per run.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from devora.engine import Workflow
from devora.errors import DevoraError
from devora.server import create_app
from devora.server._state import ServerState
from tests.cli.harness import TOYS

RUNS = 40
SLOW = {"slow": 30.0}  # the first run sleeps: the others stay queued while the test looks


@pytest.fixture
async def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[ServerState]:
    monkeypatch.setenv("DEVORA_API_TOKEN", "batch-token-0123456789")
    app = create_app(home=tmp_path / ".devora", workflows=[f"{TOYS}:chain"], max_runs=1)
    served: ServerState = app.state.devora
    yield served
    await served.runner.aclose()
    served.store.close()


def wal_frames(state: ServerState) -> int:
    """Frames in the store's WAL file (it is not checkpointed below 1000)."""
    path = state.store.location.sqlite_path
    assert path is not None
    wal = path.with_name(path.name + "-wal")
    page = 4096 + 24  # SQLite's default page size, and each frame's header
    return max(0, wal.stat().st_size - 32) // page if wal.exists() else 0


async def started_together(state: ServerState, workflow: Workflow, count: int) -> list[str]:
    runs = await asyncio.gather(
        *(state.runner.start(workflow, {"seed": i, **SLOW}) for i in range(count))
    )
    return [run.id for run in runs]


async def test_starts_that_arrive_together_share_one_commit_and_queue_in_order(
    state: ServerState,
) -> None:
    workflow = await state.load_workflow("chain")
    first = await state.runner.start(workflow, {"seed": -1, **SLOW})  # executes; others wait
    await asyncio.sleep(0.2)  # its first commits (run started, step started) are done

    before = wal_frames(state)
    together = await started_together(state, workflow, RUNS)
    grouped = wal_frames(state) - before
    one_by_one = [(await state.runner.start(workflow, {"seed": i, **SLOW})).id for i in range(RUNS)]
    alone = wal_frames(state) - before - grouped

    print(f"WAL frames: {RUNS} starts together {grouped}, one by one {alone}")
    assert grouped * 5 < alone, (grouped, alone)  # one commit's pages, not forty
    recorded = {run.id for run in state.store.list_runs(limit=1000)}
    assert recorded == {first.id, *together, *one_by_one}
    positions = [state.runner.queue_position(i) for i in (*together, *one_by_one)]
    assert [p.position if p else None for p in positions] == list(range(1, 2 * RUNS + 1))


async def test_a_batch_is_recorded_whole_or_not_at_all(state: ServerState) -> None:
    workflow = await state.load_workflow("chain")
    engine = state.runner.engine
    taken = await state.runner.start(workflow, {"seed": 0}, run_id="20990101-000000-aaaaaa")
    fresh = engine.prepare_run(workflow, {"seed": 1})
    clash = engine.prepare_run(workflow, {"seed": 2}, run_id=taken.id)
    with pytest.raises(sqlite3.IntegrityError):
        engine.record_runs([fresh, clash])
    recorded = {run.id for run in state.store.list_runs(limit=1000)}
    assert recorded == {taken.id}  # the fresh run went with the clash

    state.store.close()  # now every commit fails: each start of the batch says so
    results = await asyncio.gather(
        *(state.runner.start(workflow, {"seed": i}) for i in range(5)), return_exceptions=True
    )
    assert all(isinstance(result, DevoraError) for result in results), results
    assert state.runner.queue_position(taken.id) is None
    assert not any(state.runner.owns(f.id) for f in (fresh[0], clash[0]))
