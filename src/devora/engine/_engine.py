"""The engine: starts, resumes and nests runs of workflows against one store."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from devora.engine._error_record import ErrorRecord
from devora.engine._events import EventBus
from devora.engine._execution import RunExecution
from devora.engine._journal import Journal
from devora.engine._outcome import RunResult
from devora.engine._workflow import Workflow
from devora.errors import RunBusyError, RunNotResumableError, WorkflowDefinitionError
from devora.executors import Executor, LocalExecutor
from devora.store import (
    Event,
    EventKind,
    RunRecord,
    RunStatus,
    RunUpdate,
    Store,
    check_run_transition,
)

__all__ = ["Engine", "new_run_id", "owner_is_alive", "this_process"]

T = TypeVar("T")


def new_run_id() -> str:
    """A fresh run id: sortable by time, short enough to type."""
    return time.strftime("%Y%m%d-%H%M%S-", time.gmtime()) + uuid.uuid4().hex[:6]


def this_process() -> str:
    """How this process names itself as the owner of a run: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_alive(owner: str | None) -> bool:
    """False when the owner is a process of this host that no longer exists."""
    if not owner:
        return False
    host, _, pid_text = owner.rpartition(":")
    if host != socket.gethostname():
        return True  # another machine: we cannot tell, so we assume it lives
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _is_not_zombie(pid)


def _is_not_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


class Engine:
    """Runs workflows durably: every result is committed before anything relies on it."""

    def __init__(
        self,
        store: Store,
        *,
        bus: EventBus | None = None,
        concurrency: int | None = None,
        run_context: Mapping[str, Any] | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.store = store
        # Where ready steps run: here (local asyncio, the default) or on Celery workers.
        self.executor: Executor = executor or LocalExecutor()
        self.bus = bus if bus is not None else EventBus()  # an empty bus is falsy
        self.concurrency = concurrency
        # Settings recorded with every run it creates (who may approve), read back later.
        self.run_context = dict(run_context or {})
        self.owner = this_process()

    async def call_store(self, function: Callable[..., T], *args: Any) -> T:
        """Call a store method without blocking the loop on a network database."""
        return await self.store.call(function, *args)

    # -- starting --------------------------------------------------------------------

    def create_run(
        self,
        workflow: Workflow,
        inputs: Mapping[str, Any] | BaseModel,
        *,
        run_id: str | None = None,
        dry_run: bool = False,
        parent_run_id: str | None = None,
        parent_step_id: str | None = None,
    ) -> RunRecord:
        """Validate the inputs, then record a pending run; nothing is made on bad input."""
        made = self.prepare_run(
            workflow,
            inputs,
            run_id=run_id,
            dry_run=dry_run,
            parent_run_id=parent_run_id,
            parent_step_id=parent_step_id,
        )
        self.record_runs([made])
        return made[0]

    def record_runs(self, prepared: Sequence[tuple[RunRecord, Event]]) -> None:
        """Record runs made by `prepare_run` in one transaction (all or none), then publish."""
        for (_, created), committed in zip(prepared, self.store.create_runs(prepared), strict=True):
            self.bus.publish(committed or created)

    def prepare_run(
        self,
        workflow: Workflow,
        inputs: Mapping[str, Any] | BaseModel,
        *,
        run_id: str | None = None,
        dry_run: bool = False,
        parent_run_id: str | None = None,
        parent_step_id: str | None = None,
    ) -> tuple[RunRecord, Event]:
        """The pending run and the event announcing it, inputs validated, not yet recorded."""
        if isinstance(inputs, BaseModel):
            inputs = inputs.model_dump(mode="json")
        model = workflow.validate_inputs(inputs)
        run = RunRecord(
            id=run_id or new_run_id(),
            workflow=workflow.name,
            workflow_ref=workflow.ref or workflow.name,
            status=RunStatus.PENDING,
            inputs=model.model_dump(mode="json"),
            parent_run_id=parent_run_id,
            parent_step_id=parent_step_id,
            dry_run=dry_run,
            owner=self.owner,
        )
        created = Event(
            run_id=run.id,
            kind=EventKind.RUN_CREATED,
            message=workflow.name,
            data={
                "workflow": workflow.name,
                "inputs": run.inputs,
                "dry_run": dry_run,
                "parent_run_id": parent_run_id,
                "context": self.run_context,
                "steps": [
                    {"id": s.id, "squad": s.squad, "needs": list(s.needs)} for s in workflow.steps
                ],
            },
        )
        return run, created

    async def run(
        self,
        workflow: Workflow,
        inputs: Mapping[str, Any] | BaseModel | None = None,
        *,
        run_id: str | None = None,
        dry_run: bool = False,
    ) -> RunResult:
        """Validate inputs, preflight them, record a new run and execute it to its end."""
        if workflow.preflight is not None:
            raw = inputs.model_dump(mode="json") if isinstance(inputs, BaseModel) else inputs
            await workflow.preflight(workflow.validate_inputs(raw or {}))
        run = self.create_run(workflow, inputs or {}, run_id=run_id, dry_run=dry_run)
        return await self.execute(workflow, run)

    async def resume(self, run_id: str, workflow: Workflow, *, force: bool = False) -> RunResult:
        """Continue a run from its journal: recorded steps are reused, not run again."""
        run = await self.claim_for_resume(run_id, workflow, force=force)
        return await self.execute(workflow, run, resumed=True)

    async def claim_for_resume(
        self, run_id: str, workflow: Workflow, *, force: bool = False
    ) -> RunRecord:
        """Check that the run may be resumed here and make this process its owner.

        The first half of `resume`, for callers (the server) that answer before executing.
        """
        run = await self.call_store(self.store.get_run, run_id)
        if not run.status.resumable:
            raise RunNotResumableError(run_id, run.status.value)
        if run.parent_run_id:
            raise RunNotResumableError(
                run_id,
                f"a child of run {run.parent_run_id} ({run.status.value})",
                hint=f"resume the parent: `devora resume {run.parent_run_id}`",
            )
        if run.workflow != workflow.name:
            raise WorkflowDefinitionError(
                workflow.name,
                f"run {run_id} belongs to workflow {run.workflow!r}, not {workflow.name!r}",
            )
        if run.owner and run.owner != self.owner and owner_is_alive(run.owner) and not force:
            raise RunBusyError(run_id, run.owner)
        await self.call_store(self.store.claim_run, run_id, self.owner, run.owner)
        return run

    async def execute(
        self, workflow: Workflow, run: RunRecord, *, resumed: bool = False
    ) -> RunResult:
        """Execute a recorded run (new or resumed) in this process."""
        inputs = workflow.validate_inputs(run.inputs)
        last_seq = await self.call_store(self.store.last_seq, run.id)
        recorded = await self.call_store(self.store.attempts, run.id)
        answers = await self.call_store(self.store.answers, run.id)
        journal = Journal(self.store, self.bus, run.id, last_seq)
        check_run_transition(run.id, run.status, RunStatus.RUNNING)
        journal.update_run(RunUpdate(run_id=run.id, status=RunStatus.RUNNING, owner=self.owner))
        journal.event(
            EventKind.RUN_RESUMED if resumed else EventKind.RUN_STARTED,
            message=workflow.name,
            data={
                "workflow": workflow.name,
                "reused_steps": len({r.step_id for r in recorded}),
                "dry_run": run.dry_run,
            },
        )
        execution = RunExecution(
            self,
            workflow,
            run,
            inputs,
            journal,
            answers,
            recorded,
            self.concurrency or workflow.concurrency,
        )
        return await execution.execute()

    # -- children --------------------------------------------------------------------------

    async def run_child(
        self,
        workflow: Workflow,
        inputs: Mapping[str, Any],
        *,
        parent: RunRecord,
        parent_step_id: str,
        dry_run: bool,
    ) -> RunResult:
        """Run (or resume, or reuse) the child run of a parent's step."""
        child_id = f"{parent.id}.{parent_step_id}"
        existing = await self.call_store(_find_run, self.store, child_id)
        if existing is None:
            run = self.create_run(
                workflow,
                inputs,
                run_id=child_id,
                dry_run=dry_run,
                parent_run_id=parent.id,
                parent_step_id=parent_step_id,
            )
            return await self.execute(workflow, run)
        if existing.status.finished:
            return RunResult(
                run_id=existing.id,
                workflow=existing.workflow,
                status=existing.status,
                outputs=existing.outputs or {},
                error=None if existing.error is None else ErrorRecord.from_json(existing.error),
                dry_run=existing.dry_run,
            )
        await self.call_store(self.store.claim_run, child_id, self.owner, existing.owner)
        return await self.execute(workflow, existing, resumed=True)


def _find_run(store: Store, run_id: str) -> RunRecord | None:
    from devora.errors import RunNotFoundError

    try:
        return store.get_run(run_id)
    except RunNotFoundError:
        return None
