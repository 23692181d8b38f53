"""Toy workflows for engine tests, also run by `devora` in subprocesses (path:NAME).

Every step appends its id to the file named by $TOY_COUNTER (when set), so a test can
count how often each step really ran across a crash and a resume.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable

from pydantic import BaseModel, Field

from devora.engine import Plan, Retry, Step, StepContext, SubWorkflow, Workflow
from devora.errors import StepError


def count(step_id: str) -> None:
    """Record that a step's action really ran."""
    path = os.environ.get("TOY_COUNTER")
    if path:
        with open(path, "a", encoding="utf-8") as counter:
            counter.write(step_id + "\n")


class ChainInputs(BaseModel):
    seed: int = 1
    slow: float = Field(default=0.0, description="seconds the `slow` step sleeps")


async def first(ctx: StepContext[ChainInputs]) -> int:
    count("first")
    return ctx.inputs.seed * 10


async def second(ctx: StepContext[ChainInputs]) -> int:
    count("second")
    return ctx.result("first") + 1


async def side(ctx: StepContext[ChainInputs]) -> str:
    count("side")
    return f"side-{ctx.inputs.seed}"


async def slow(ctx: StepContext[ChainInputs]) -> int:
    count("slow")
    ctx.log("sleeping")
    # $TOY_SLOW overrides the recorded input, so a resumed run need not sleep again.
    await asyncio.sleep(float(os.environ.get("TOY_SLOW", ctx.inputs.slow)))
    return ctx.result("second") * 2


async def last(ctx: StepContext[ChainInputs]) -> dict[str, object]:
    count("last")
    return {"total": ctx.result("slow") + ctx.result("first"), "side": ctx.result("side")}


chain = Workflow(
    name="chain",
    inputs=ChainInputs,
    steps=[
        Step("first", first),
        Step("second", second, needs=["first"]),
        Step("side", side, needs=["first"]),
        Step("slow", slow, needs=["second"]),
        Step("last", last, needs=["slow", "side"]),
    ],
)


class GateInputs(BaseModel):
    release: str = "1.0"


async def prepare(ctx: StepContext[GateInputs]) -> str:
    count("prepare")
    return f"build-{ctx.inputs.release}"


async def deploy(ctx: StepContext[GateInputs]) -> str:
    count("deploy")
    return f"deployed {ctx.result('prepare')}"


async def plan_deploy(ctx: StepContext[GateInputs]) -> Plan:
    return Plan(summary=f"would deploy {ctx.result('prepare')}")


class Notes(BaseModel):
    text: str
    reviewers: int = Field(ge=1)


async def release_notes(ctx: StepContext[GateInputs]) -> str:
    notes = ctx.wait_for_input("write the release notes", Notes)
    count("release_notes")
    return f"{notes.text} ({notes.reviewers} reviewers)"


gated = Workflow(
    name="gated",
    inputs=GateInputs,
    steps=[
        Step("prepare", prepare, squad="qa"),
        Step(
            "deploy",
            deploy,
            squad="devops",
            needs=["prepare"],
            approval="devops",
            side_effects=True,
            plan=plan_deploy,
        ),
        Step("release_notes", release_notes, squad="documentation", needs=["deploy"]),
    ],
)


class RetryInputs(BaseModel):
    failures: int = 2


async def flaky(ctx: StepContext[RetryInputs]) -> int:
    count("flaky")
    if ctx.attempt <= ctx.inputs.failures:
        raise ConnectionError(f"attempt {ctx.attempt} failed")
    return ctx.attempt


retrying = Workflow(
    name="retrying",
    inputs=RetryInputs,
    steps=[Step("flaky", flaky, retry=Retry(3, backoff=0.01))],
)


class FailInputs(BaseModel):
    fail: bool = True


async def write_a(ctx: StepContext[FailInputs]) -> str:
    count("write_a")
    return "a"


async def write_b(ctx: StepContext[FailInputs]) -> str:
    count("write_b")
    return "b"


async def explode(ctx: StepContext[FailInputs]) -> None:
    if ctx.inputs.fail:
        raise StepError("exploded on purpose")


async def undo_a(ctx: StepContext[FailInputs]) -> None:
    count("undo_a")


async def undo_b(ctx: StepContext[FailInputs]) -> None:
    count("undo_b")


saga = Workflow(
    name="saga",
    inputs=FailInputs,
    steps=[
        Step("write_a", write_a, compensate=undo_a),
        Step("write_b", write_b, needs=["write_a"], compensate=undo_b),
        Step("explode", explode, needs=["write_b"]),
    ],
)


class ParentInputs(BaseModel):
    seed: int = 2


parent = Workflow(
    name="parent",
    inputs=ParentInputs,
    steps=[
        Step("before", lambda ctx: count("before") or ctx.inputs.seed),
        Step(
            "child",
            SubWorkflow(chain, inputs=lambda ctx: {"seed": ctx.result("before")}),
            needs=["before"],
        ),
        Step("after", lambda ctx: ctx.result("child")["last"]["total"], needs=["child"]),
    ],
)


class ManyInputs(BaseModel):
    width: int = 5


async def noop(ctx: StepContext[ManyInputs]) -> int:
    return 1


def sleepy(ctx: StepContext[ManyInputs]) -> float:
    """A sync step: the engine runs it in a worker thread."""
    time.sleep(0.01)
    ctx.log("slept in a thread")
    return 0.01


many = Workflow(
    name="many",
    inputs=ManyInputs,
    steps=[
        Step("start", noop),
        *[Step(f"leaf{i}", noop, needs=["start"]) for i in range(5)],
        Step("sync", sleepy, needs=["start"]),
    ],
)


# Every attempt state in one run: first attempt (plain), failed then retried (flaky), timed
# out then retried (sluggish), compensating (fail=true), waiting for approval (ship).
class DurableInputs(BaseModel):
    seed: int = 3
    fail: bool = False


async def durable_plain(ctx: StepContext[DurableInputs]) -> int:
    count("plain")
    return ctx.inputs.seed * 10


async def durable_flaky(ctx: StepContext[DurableInputs]) -> int:
    """Fails its first attempt, succeeds on the retry."""
    count("flaky")
    if ctx.attempt == 1:
        raise ConnectionError("the first attempt fails")
    return ctx.result("plain") + 1


async def durable_sluggish(ctx: StepContext[DurableInputs]) -> int:
    """Times out on its first attempt, succeeds on the retry."""
    count("sluggish")
    if ctx.attempt == 1:
        await asyncio.sleep(60)
    return ctx.result("flaky") * 2


async def durable_explode(ctx: StepContext[DurableInputs]) -> int:
    count("explode")
    if ctx.inputs.fail:
        raise StepError("exploded on purpose")
    return ctx.result("sluggish") + ctx.result("plain")


async def durable_ship(ctx: StepContext[DurableInputs]) -> str:
    count("ship")
    return f"shipped {ctx.result('explode')}"


def _undo(step_id: str) -> Callable[[StepContext[DurableInputs]], None]:
    def undo(ctx: StepContext[DurableInputs]) -> None:
        count(f"undo_{step_id}")

    undo.__name__ = f"undo_{step_id}"
    return undo


durable = Workflow(
    name="durable",
    inputs=DurableInputs,
    steps=[
        Step("plain", durable_plain, compensate=_undo("plain")),
        Step(
            "flaky",
            durable_flaky,
            needs=["plain"],
            retry=Retry(3, backoff=0.01),
            compensate=_undo("flaky"),
        ),
        Step(
            "sluggish",
            durable_sluggish,
            needs=["flaky"],
            retry=Retry(2, backoff=0.01),
            timeout=1.0,
            compensate=_undo("sluggish"),
        ),
        Step("explode", durable_explode, needs=["sluggish"]),
        Step("ship", durable_ship, needs=["explode"], approval="devops"),
    ],
    outputs=lambda ctx: {k: ctx.result(k) for k in ("plain", "flaky", "sluggish", "ship")},
)
