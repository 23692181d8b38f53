"""Workflows for the executor tests, loaded by workers as path:NAME.

Every step that does work appends a line to the file named by $TOY_COUNTER (outside the
store), so a test counts how often each step really ran, whoever ran it.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable

from pydantic import BaseModel

from devora.engine import Step, StepContext, Workflow
from tests.engine.toy_workflows import count


class FanInputs(BaseModel):
    width: int = 100


def leaf(ctx: StepContext[FanInputs]) -> int:
    count(ctx.step_id)
    return int(ctx.step_id.removeprefix("leaf"))


def total(ctx: StepContext[FanInputs]) -> int:
    count("total")
    return sum(ctx.result(f"leaf{i}") for i in range(100))


fan100 = Workflow(
    name="fan100",
    inputs=FanInputs,
    concurrency=100,
    steps=[
        *[Step(f"leaf{i}", leaf, squad="qa") for i in range(100)],
        Step("total", total, needs=[f"leaf{i}" for i in range(100)]),
    ],
)


class NapInputs(BaseModel):
    seconds: float = 4.0


def before(ctx: StepContext[NapInputs]) -> str:
    count("before")
    return "ready"


def nap(ctx: StepContext[NapInputs]) -> str:
    """Says where it runs ($TOY_PIDS), sleeps, then counts a completion."""
    pids = os.environ.get("TOY_PIDS")
    if pids:
        with open(pids, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
    time.sleep(ctx.inputs.seconds)
    count("nap")
    return ctx.result("before") + "-napped"


def after(ctx: StepContext[NapInputs]) -> str:
    count("after")
    return ctx.result("nap") + "-done"


napping = Workflow(
    name="napping",
    inputs=NapInputs,
    steps=[
        Step("before", before),
        Step("nap", nap, needs=["before"]),
        Step("after", after, needs=["nap"]),
    ],
)


class SkipInputs(BaseModel):
    run_b: bool = False


skipping = Workflow(
    name="skipping",
    inputs=SkipInputs,
    steps=[
        Step("a", lambda ctx: count("a") or "a"),
        Step("b", lambda ctx: count("b") or "b", needs=["a"], when=lambda ctx: ctx.inputs.run_b),
        Step("c", lambda ctx: count("c") or "c", needs=["b"]),
        Step("d", lambda ctx: count("d") or ctx.result("a") + "d", needs=["a"]),
    ],
)


class NoInputs(BaseModel):
    pass


def _figure(name: str, value: int) -> Callable[[StepContext[NoInputs]], int]:
    def set_figure(ctx: StepContext[NoInputs]) -> int:
        ctx.set_summary(**{name: value})
        return value

    return set_figure


figures = Workflow(
    name="figures",
    inputs=NoInputs,
    steps=[
        Step("a", _figure("a", 1)),
        Step("b", _figure("b", 2)),
        Step("c", _figure("c", 3), needs=["a", "b"]),
    ],
)


async def doze(ctx: StepContext[NapInputs]) -> str:
    """Like `nap`, but async: a cancelled run stops it at its next await."""
    pids = os.environ.get("TOY_PIDS")
    if pids:
        with open(pids, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
    await asyncio.sleep(ctx.inputs.seconds)
    count("doze")
    return "dozed"


dozing = Workflow(name="dozing", inputs=NapInputs, steps=[Step("doze", doze)])


def _reads(ctx: StepContext[NoInputs]) -> dict[str, object]:
    """What a step sees of the steps before it: the first's output, through a chain."""
    count(ctx.step_id)
    return {"first": ctx.result("first"), "seen": sorted(ctx.results)}


ancestry = Workflow(
    name="ancestry",
    inputs=NoInputs,
    steps=[
        Step("first", lambda ctx: count("first") or "one"),
        Step(
            "middle", lambda ctx: count("middle") or ctx.result("first") + "-two", needs=["first"]
        ),
        Step("last", _reads, needs=["middle"]),
    ],
)
