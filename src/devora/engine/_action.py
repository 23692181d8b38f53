"""Actions: the work of a step, and the plan a side-effecting action gives in a dry-run."""

from __future__ import annotations

import asyncio
import functools
import inspect
import typing
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, Field

from devora.errors import StepError

if TYPE_CHECKING:
    from devora.engine._context import StepContext

__all__ = ["Action", "Plan", "as_action"]

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")


class Plan(BaseModel):
    """What a side-effecting action would change, said without changing it."""

    summary: str
    changes: list[str] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)
    predicted_output: Any = Field(
        default=None, description="what run() would return, for the steps that need it"
    )


class Action(ABC, Generic[T_co]):
    """The work of a step. Subclass and implement `run`; side-effecting actions add `plan`."""

    @abstractmethod
    async def run(self, ctx: StepContext[Any]) -> T_co:
        """Do the work and return the step's output."""

    async def plan(self, ctx: StepContext[Any]) -> Plan:
        """Say what `run` would change, changing nothing (the dry-run path)."""
        raise _no_plan(self.name)

    @property
    def has_plan(self) -> bool:
        """True when the subclass implements `plan`."""
        return type(self).plan is not Action.plan

    @property
    def name(self) -> str:
        """A readable name for listings."""
        return type(self).__name__

    def output_type(self) -> Any:
        """The type `run` returns, for typed replay of journaled outputs."""
        return _return_annotation(type(self).run)


StepFunction = Callable[["StepContext[Any]"], Awaitable[T] | T]
PlanFunction = Callable[["StepContext[Any]"], Awaitable[Plan] | Plan]


class FunctionAction(Action[T]):
    """An action made from a plain function (sync functions run in a worker thread)."""

    def __init__(self, function: StepFunction[T], plan: PlanFunction | None = None) -> None:
        self.function = function
        self.plan_function = plan
        self._is_async = inspect.iscoroutinefunction(function)

    async def run(self, ctx: StepContext[Any]) -> T:
        if self._is_async:
            awaited: T = await self.function(ctx)  # type: ignore[misc]
            return awaited
        result: T = await _call(self.function, ctx)
        return result

    async def plan(self, ctx: StepContext[Any]) -> Plan:
        if self.plan_function is None:
            raise _no_plan(self.name)
        plan: Plan = await _call(self.plan_function, ctx)
        return plan

    @property
    def has_plan(self) -> bool:
        return self.plan_function is not None

    @property
    def name(self) -> str:
        return getattr(self.function, "__qualname__", repr(self.function))

    def output_type(self) -> Any:
        return _return_annotation(self.function)


async def _call(function: Callable[..., Any], ctx: StepContext[Any]) -> Any:
    if inspect.iscoroutinefunction(function):
        return await function(ctx)
    result = await asyncio.to_thread(function, ctx)
    if inspect.isawaitable(result):
        return await result
    return result


@functools.lru_cache(maxsize=4096)
def _return_annotation(function: Callable[..., Any]) -> Any:
    # Resolving hints compiles string annotations: once per function, not once per step.
    # A name that does not resolve raises (NameError): the workflow reports it when defined.
    return typing.get_type_hints(function).get("return", Any)


def _no_plan(name: str) -> StepError:
    # Workflows refuse side-effecting steps without a plan; this is for direct callers.
    return StepError(f"action {name} has no plan()", hint="give it a plan to use it in a dry-run")


def as_action(work: Action[T] | StepFunction[T]) -> Action[T]:
    """Accept an Action or a plain (async) function of the step context."""
    if isinstance(work, Action):
        return work
    if callable(work):
        return FunctionAction(work)
    raise TypeError(f"an action must be an Action or a function of the context, not {work!r}")
