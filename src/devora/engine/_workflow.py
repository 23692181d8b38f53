"""Workflow definitions as data: steps, their needs and policies, and the input model."""

from __future__ import annotations

import random
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from pydantic import BaseModel, ValidationError

from devora.engine._action import Action, PlanFunction, StepFunction, as_action
from devora.errors import InputValidationError, WorkflowDefinitionError

if TYPE_CHECKING:
    from devora.engine._context import StepContext

__all__ = ["NoInputs", "Retry", "Step", "Workflow"]

T = TypeVar("T")
_UNRESOLVED = object()
_STEP_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,99}$")


class NoInputs(BaseModel):
    """The input model of a workflow that takes no inputs."""


@dataclass(frozen=True, slots=True)
class Retry:
    """How often a failing step is tried, with exponential backoff and full jitter."""

    attempts: int = 1
    backoff: float = 1.0
    factor: float = 2.0
    max_backoff: float = 60.0
    jitter: bool = True

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("Retry.attempts must be at least 1")
        if self.backoff < 0 or self.factor < 1 or self.max_backoff < 0:
            raise ValueError("Retry backoff must be >= 0 and factor >= 1")

    def delay(self, failed_attempt: int) -> float:
        """Seconds to wait after the n-th failed attempt (1-based) before the next one."""
        ceiling = min(self.max_backoff, self.backoff * self.factor ** (failed_attempt - 1))
        # Full jitter spreads retries of many runs hitting the same service apart.
        return random.uniform(0, ceiling) if self.jitter else ceiling  # nosec B311 - jitter


Condition = Callable[["StepContext[Any]"], bool]


class Step(Generic[T]):
    """One node of a workflow: who owns it, what it does, what it waits for, its policies."""

    __slots__ = (
        "_output_type",
        "action",
        "approval",
        "compensate",
        "description",
        "id",
        "needs",
        "retry",
        "side_effects",
        "squad",
        "timeout",
        "when",
    )

    # The overloads let type checkers see T through an async function (Awaitable[T]), a
    # sync one (T) or an Action[T]; the one implementation below takes them all.
    @overload
    def __init__(
        self,
        id: str,
        action: Callable[[StepContext[Any]], Awaitable[T]],
        *,
        squad: str | None = None,
        needs: Sequence[str | Step[Any]] = (),
        when: Condition | None = None,
        retry: Retry | int | None = None,
        timeout: float | None = None,
        compensate: Action[Any] | StepFunction[Any] | None = None,
        side_effects: bool = False,
        plan: PlanFunction | None = None,
        description: str = "",
        approval: str | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        id: str,
        action: Action[T] | Callable[[StepContext[Any]], T],
        *,
        squad: str | None = None,
        needs: Sequence[str | Step[Any]] = (),
        when: Condition | None = None,
        retry: Retry | int | None = None,
        timeout: float | None = None,
        compensate: Action[Any] | StepFunction[Any] | None = None,
        side_effects: bool = False,
        plan: PlanFunction | None = None,
        description: str = "",
        approval: str | None = None,
    ) -> None: ...

    def __init__(
        self,
        id: str,
        action: Action[T] | StepFunction[T],
        *,
        squad: str | None = None,
        needs: Sequence[str | Step[Any]] = (),
        when: Condition | None = None,
        retry: Retry | int | None = None,
        timeout: float | None = None,
        compensate: Action[Any] | StepFunction[Any] | None = None,
        side_effects: bool = False,
        plan: PlanFunction | None = None,
        description: str = "",
        approval: str | None = None,
    ) -> None:
        self.id = id
        work = as_action(action)
        if plan is not None:
            from devora.engine._action import FunctionAction

            if not isinstance(work, FunctionAction):
                raise TypeError(f"step {id!r}: pass plan= only with a function action")
            work.plan_function = plan
        self.action: Action[T] = work
        self.squad = squad
        self.needs: tuple[str, ...] = tuple(n if isinstance(n, str) else n.id for n in needs)
        self.when = when
        self.retry = Retry(attempts=retry) if isinstance(retry, int) else (retry or Retry())
        self.timeout = timeout
        self.compensate: Action[Any] | None = (
            as_action(compensate) if compensate is not None else None
        )
        self.side_effects = side_effects
        self.description = description or (work.__doc__ or "").strip().split("\n")[0]
        self.approval = approval
        self._output_type: Any = _UNRESOLVED

    @property
    def output_type(self) -> Any:
        """The declared type of the step's output (resolved once: type hints are slow)."""
        if self._output_type is _UNRESOLVED:
            self._output_type = self.action.output_type()
        return self._output_type

    def __repr__(self) -> str:
        return f"Step({self.id!r}, squad={self.squad!r}, needs={list(self.needs)!r})"


OutputsFunction = Callable[["StepContext[Any]"], Mapping[str, Any]]


@dataclass(slots=True)
class Workflow:
    """A named definition: an input model, steps, and how to compute its outputs.

    `preflight(inputs)` checks what input validation cannot (a tool, a repository's state)
    before a new run is recorded: the error it raises leaves no run behind.
    """

    name: str
    steps: Sequence[Step[Any]]
    inputs: type[BaseModel] = NoInputs
    outputs: OutputsFunction | None = None
    description: str = ""
    concurrency: int = 16
    preflight: Callable[[Any], Awaitable[None]] | None = None
    ref: str | None = None
    by_id: dict[str, Step[Any]] = field(init=False, repr=False)
    order: tuple[str, ...] = field(init=False, repr=False)
    dependents: dict[str, tuple[str, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.steps = tuple(self.steps)
        self.by_id = {}
        for step in self.steps:
            if not _STEP_ID.match(step.id):
                self._invalid(
                    f"step id {step.id!r} must start with a letter and use only letters, "
                    "digits, '-' and '_'"
                )
            if step.id in self.by_id:
                self._invalid(f"duplicate step id {step.id!r}")
            self.by_id[step.id] = step
        dependents: dict[str, list[str]] = {step.id: [] for step in self.steps}
        for step in self.steps:
            for need in step.needs:
                if need not in self.by_id:
                    self._invalid(f"step {step.id!r} needs unknown step {need!r}")
                if need == step.id:
                    self._invalid(f"step {step.id!r} needs itself")
                dependents[need].append(step.id)
            self._resolve_output_type(step)
            if step.side_effects and not step.action.has_plan:
                self._invalid(
                    f"step {step.id!r} has side effects but its action has no plan()",
                    hint="give side-effecting actions a plan() so dry-runs can report them",
                )
        if self.concurrency < 1:
            self._invalid("concurrency must be at least 1")
        self.dependents = {k: tuple(v) for k, v in dependents.items()}
        self.order = self._topological_order()

    def _resolve_output_type(self, step: Step[Any]) -> None:
        """Resolve the step's output type now, so a replayed output comes back typed."""
        from devora.engine._outcome import output_adapter

        try:
            output_adapter(step.output_type)
        except Exception as exc:
            self._invalid(
                f"step {step.id!r}: the output type of {step.action.name} cannot be "
                f"resolved: {exc}",
                hint="make the return annotation's names importable at run time (not only "
                "under TYPE_CHECKING), with a type pydantic can validate",
            )

    def _invalid(self, problem: str, hint: str | None = None) -> None:
        raise WorkflowDefinitionError(self.name, problem, hint=hint)

    def _topological_order(self) -> tuple[str, ...]:
        remaining = {step.id: len(step.needs) for step in self.steps}
        ready = [step.id for step in self.steps if not step.needs]
        order: list[str] = []
        while ready:
            current = ready.pop()
            order.append(current)
            for dependent in self.dependents[current]:
                remaining[dependent] -= 1
                if remaining[dependent] == 0:
                    ready.append(dependent)
        if len(order) != len(self.steps):
            self._invalid(f"the steps form a cycle: {' -> '.join(self._find_cycle())}")
        return tuple(order)

    def _find_cycle(self) -> list[str]:
        visiting: list[str] = []
        done: set[str] = set()

        def visit(step_id: str) -> list[str] | None:
            if step_id in visiting:
                return [*visiting[visiting.index(step_id) :], step_id]
            if step_id in done:
                return None
            visiting.append(step_id)
            for need in self.by_id[step_id].needs:
                cycle = visit(need)
                if cycle:
                    return cycle
            visiting.pop()
            done.add(step_id)
            return None

        for step in self.steps:
            cycle = visit(step.id)
            if cycle:
                return cycle
        return []

    def step(self, step_id: str) -> Step[Any]:
        """The step with this id."""
        return self.by_id[step_id]

    def validate_inputs(self, raw: Mapping[str, Any]) -> BaseModel:
        """Validate raw inputs against the input model; InputValidationError names each field."""
        unknown = sorted(set(raw) - set(self.inputs.model_fields))
        if unknown and self.inputs.model_config.get("extra") != "allow":
            known = ", ".join(self.inputs.model_fields) or "none"
            raise InputValidationError(
                self.name, [(name, f"unknown input (known inputs: {known})") for name in unknown]
            )
        try:
            return self.inputs.model_validate(dict(raw))
        except ValidationError as exc:
            problems = [
                (".".join(str(p) for p in error["loc"]) or "inputs", error["msg"])
                for error in exc.errors()
            ]
            raise InputValidationError(self.name, problems) from exc
