"""The executor interface: where the engine's ready steps run (here, or on workers).

The engine hands an executor each ready step with a `StepDriver`, its side of the deal:
`run_here` runs the step's attempts in this process; `adopt` turns a result another
process has already committed into the outcome the engine continues with. An executor
returns one or the other, never an uncommitted result from elsewhere.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable
from typing import Any, ClassVar, Protocol

from devora.store import AttemptRecord, Event, Fence

__all__ = ["Executor", "StepDriver", "StepLike"]


class StepLike(Protocol):
    """What an executor reads of a step: its id and the squad that owns it."""

    @property
    def id(self) -> str: ...

    @property
    def squad(self) -> str | None: ...


class StepDriver(Protocol):
    """The engine's side of one run, as an executor sees it."""

    @property
    def run_id(self) -> str: ...

    @property
    def owner(self) -> str:
        """How the executing process names itself (host:pid), for leases."""

    def run_here(self, step: Any, ctx: Any) -> Awaitable[Any]:
        """Run the step's attempts in this process; its outcome (not yet committed)."""

    async def adopt(self, step: Any, record: AttemptRecord) -> Any:
        """The outcome of a step whose result another process committed."""

    def publish(self, event: Event) -> None:
        """Show a committed event of this run to this process's subscribers."""


class Executor(ABC):
    """Runs the steps the engine hands it; `local` and `celery` pass one conformance suite."""

    name: ClassVar[str]

    @abstractmethod
    def run_step(
        self, driver: StepDriver, step: StepLike, attempt: int, ctx: Any
    ) -> Awaitable[Any]:
        """Run one ready step (attempt `attempt`); its outcome, from `driver`.

        Returns an awaitable rather than being a coroutine, so the local executor hands
        the engine's own coroutine back and costs no frame per step.
        """

    @contextlib.asynccontextmanager
    async def coordinate(self, driver: StepDriver) -> AsyncIterator[Fence | None]:
        """Hold the run for as long as this process executes it.

        Yields the fence the run's journal writes carry (None: nobody else can take the
        run over, as with the local executor).
        """
        yield None

    async def aclose(self) -> None:
        """Release what the executor holds; safe to call twice."""
        return None
