"""The local executor: every step runs as an asyncio task of the engine's own process."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, ClassVar

from devora.executors._base import Executor, StepDriver, StepLike

__all__ = ["LocalExecutor"]


class LocalExecutor(Executor):
    """Steps run here, concurrently on the run's event loop (the default)."""

    name: ClassVar[str] = "local"

    def run_step(
        self, driver: StepDriver, step: StepLike, attempt: int, ctx: Any
    ) -> Awaitable[Any]:
        """Run the step's attempts in this process."""
        return driver.run_here(step, ctx)
