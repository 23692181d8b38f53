"""`devora worker`: serve steps from Celery on this machine, and take over orphaned runs.

Everything is checked before the worker starts (squads, broker, a PostgreSQL store):
a bad setting is one error and an exit code, never a worker that half works.
"""

from __future__ import annotations

import logging
import os
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from devora.engine import Engine, Workflow
    from devora.store import Store

__all__ = ["register"]

_log = logging.getLogger("devora.worker")


def register(app: typer.Typer) -> None:
    """Add `devora worker` to the app."""
    app.command()(worker)


def worker(
    squads: Annotated[
        str | None,
        typer.Option(help="Serve only these squads' steps (comma-separated), e.g. qa,performance."),
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Steps run at once (processes).")] = 2,
    loglevel: Annotated[str, typer.Option(help="Celery's log level.")] = "WARNING",
) -> None:
    """Run steps of runs whose executor is celery (needs DEVORA_BROKER_URL and PostgreSQL)."""
    from devora.config import load_config
    from devora.executors import BrokerNotConfiguredError, executor_from_config, queue_for
    from devora.executors._worker import start_orphan_watch, start_worker
    from devora.squads import UnknownSquadError, squad_names
    from devora.store import open_store

    known = squad_names()
    chosen = [s.strip() for s in (squads or "").split(",") if s.strip()]
    for squad in chosen:
        if squad not in known:
            raise UnknownSquadError(squad, known)
    config = load_config()
    if not config.celery.broker_url:
        raise BrokerNotConfiguredError()
    config = config.model_copy(update={"executor": "celery"})
    with open_store() as store:
        executor: Any = executor_from_config(config, store)  # PostgreSQL? broker answers?
    queues = [queue_for(s) for s in chosen] or [queue_for(None), *map(queue_for, known)]
    start_orphan_watch(watch_orphaned_runs)
    start_worker(
        executor.app,
        _perform,
        queues=queues,
        concurrency=concurrency,
        loglevel=loglevel.upper(),
    )


# -- in each pool process ----------------------------------------------------------------

_process: dict[str, Any] = {}


def _perform(run_id: str, step_id: str, attempt: int) -> str:
    """Run one step message in this pool process (its own store, loop and engine)."""
    from devora.engine import perform_step

    if _process.get("pid") != os.getpid():  # first step of this (forked) process
        import asyncio

        from devora.config import load_config
        from devora.engine import Engine, RunsSeen
        from devora.store import open_store

        _process.clear()
        _process.update(
            pid=os.getpid(),
            engine=Engine(open_store()),
            loop=asyncio.new_event_loop(),
            lease_seconds=load_config().celery.lease_seconds,
            runs=RunsSeen(_resolve),
        )
    engine: Engine = _process["engine"]
    done = _process["loop"].run_until_complete(
        perform_step(
            engine,
            _process["runs"],
            run_id,
            step_id,
            attempt,
            lease_seconds=_process["lease_seconds"],
        )
    )
    return str(done.value)


def _resolve(reference: str) -> Workflow:
    from devora.workflows import resolve_workflow

    return resolve_workflow(reference)


# -- the orphan watch (its own process) ------------------------------------------------------


def watch_orphaned_runs(parent_pid: int) -> None:
    """Resume, as their new coordinator, the runs whose coordinator's lease expired."""
    from devora.config import load_config
    from devora.store import open_store

    config = load_config().model_copy(update={"executor": "celery"})
    pause = config.celery.lease_seconds / 3
    store = open_store()
    try:
        while os.getppid() == parent_pid:
            for run_id in _orphaned_runs(store):
                _take_over(store, config, run_id)
            time.sleep(pause)
    finally:
        store.close()


def _orphaned_runs(store: Store) -> list[str]:
    from devora.errors import RunNotFoundError
    from devora.store import RunStatus, expired_run_leases, release_lease

    orphaned = []
    for lease in expired_run_leases(store):
        run_id = lease.key.removeprefix("run:")
        try:
            status = store.get_run(run_id).status
        except RunNotFoundError:
            status = None
        if status is RunStatus.RUNNING:
            orphaned.append(run_id)
        else:  # its coordinator ended it (or was stopped waiting): nothing to take over
            release_lease(store, lease)
    return orphaned


def _take_over(store: Store, config: Any, run_id: str) -> None:
    import asyncio

    from devora.engine import Engine
    from devora.errors import DevoraError
    from devora.executors import executor_from_config
    from devora.store import acquire_lease, run_lease_key
    from devora.workflows import resolve_workflow

    try:
        run = store.get_run(run_id)
        engine = Engine(store, executor=executor_from_config(config, store))
        # Of the workers that saw the lease expire, one takes it (the others find it
        # live); the winner's coordinator then holds it under the same token.
        key = run_lease_key(run_id)
        if acquire_lease(store, key, engine.owner, config.celery.lease_seconds) is None:
            return
        result = asyncio.run(engine.resume(run_id, resolve_workflow(run.workflow_ref), force=True))
        _log.warning("took over run %s: %s", run_id, result.status.value)
    except DevoraError as exc:  # another worker won it, or it cannot go on here
        _log.warning("cannot take over run %s: %s", run_id, exc)
