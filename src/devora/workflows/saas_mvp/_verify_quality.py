"""The quality gate on the generated project, as a child run: it must pass with a score of
at least the minimum (90 by default)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from devora.engine import StepContext, SubWorkflow
from devora.errors import StepError
from devora.tools.pyenv import PythonEnvironment
from devora.workflows._registry import resolve_workflow
from devora.workflows.saas_mvp._mypy_cache import (
    gate_mypy_cache,
    keep_mypy_cache,
    seed_mypy_cache,
    shared_mypy_cache,
)
from devora.workflows.saas_mvp._records import Verification, VerificationStatus

__all__ = ["verify_quality"]


async def verify_quality(
    ctx: StepContext[Any], root: Path, min_score: int, environment: PythonEnvironment
) -> Verification:
    """Run the gate on `root` as a child run; passed when it passes with score >= min_score.

    With a usable environment, the gate's mypy starts from the cache shared by the projects
    of this template and environment (_mypy_cache), and the first gate leaves it there.
    """
    name = f"quality gate (score >= {min_score})"
    command = ("devora", "run", "quality-gate", str(root))
    child = f"{ctx.run_id}.{ctx.step_id}"
    started = time.monotonic()
    shared = gate = None
    if environment.usable and environment.python is not None:
        shared = shared_mypy_cache(ctx.home, environment, ctx.result("architecture").package)
        gate = gate_mypy_cache(root, environment)
        if await asyncio.to_thread(seed_mypy_cache, shared, gate):
            ctx.log(f"mypy: starting from the shared cache {shared}")
    try:
        outputs = await SubWorkflow(
            resolve_workflow("quality-gate"), inputs={"path": str(root)}
        ).run(ctx)
        if (
            shared is not None
            and gate is not None
            and await asyncio.to_thread(keep_mypy_cache, gate, shared)
        ):
            ctx.log(f"mypy: its cache is shared from now on, in {shared}")
    except StepError as error:
        return Verification(
            name=name,
            status=VerificationStatus.FAILED,
            command=command,
            seconds=round(time.monotonic() - started, 3),
            reason=error.message,
            output_tail=f"{error.message}\nsee `devora status {child}`",
            details={"child_run": child},
        )
    score = outputs.get("score")
    passed = bool(outputs.get("passed")) and isinstance(score, int | float) and score >= min_score
    return Verification(
        name=name,
        status=VerificationStatus.PASSED if passed else VerificationStatus.FAILED,
        command=command,
        exit_status=0,
        seconds=round(time.monotonic() - started, 3),
        reason=None if passed else f"score {score} is below {min_score}",
        output_tail=json.dumps(outputs, sort_keys=True) + f"\nsee `devora status {child}`",
        details={"child_run": child, "score": score},
    )
