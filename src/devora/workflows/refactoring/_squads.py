"""Which squad owns analyze, plan and refactor: frontend for TypeScript/JavaScript, backend for
Python (and the other languages). Each of those steps exists once per squad, and the one whose
squad fits runs (the other is skipped), as bug resolution's fix_backend / fix_frontend do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from devora.engine import StepContext
from devora.tools.metrics import measured_files
from devora.workflows.refactoring._inputs import run_in_thread

__all__ = [
    "BACKEND",
    "FRONTEND",
    "analysis_squad",
    "plan_squad",
    "refactor_squad",
    "result_of",
    "squad_of_file",
    "when_squad",
]

BACKEND, FRONTEND = "backend", "frontend"
SQUADS = (BACKEND, FRONTEND)
_FRONTEND_SUFFIXES = frozenset({".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".vue", ".svelte"})


def squad_of_file(file: str) -> str:
    """frontend for a TypeScript/JavaScript file, backend otherwise."""
    return FRONTEND if Path(file).suffix.lower() in _FRONTEND_SUFFIXES else BACKEND


def result_of(ctx: StepContext[Any], step: str) -> Any:
    """The output of `step`_backend or `step`_frontend, whichever ran."""
    for squad in SQUADS:
        found = ctx.result(f"{step}_{squad}")
        if found is not None:
            return found
    return None


def analysis_squad(ctx: StepContext[Any]) -> str:
    """--target's language; a rename is Python's; else what most measured files are written in."""
    inputs = ctx.inputs
    if inputs.target is not None:
        return squad_of_file(inputs.target.partition(":")[0])
    if inputs.rename is not None:
        return BACKEND
    files = run_in_thread(measured_files(Path(inputs.path).expanduser().resolve()))
    frontend = sum(1 for f in files if squad_of_file(f) == FRONTEND)
    return FRONTEND if frontend > len(files) - frontend else BACKEND


def plan_squad(ctx: StepContext[Any]) -> str:
    """--target's or the rename's; else the language of the top hotspot."""
    if ctx.inputs.target is not None or ctx.inputs.rename is not None:
        return analysis_squad(ctx)
    analysis = result_of(ctx, "analyze")
    if analysis is not None and analysis.hotspots:
        return squad_of_file(analysis.hotspots[0].file)
    return analysis_squad(ctx)


def refactor_squad(ctx: StepContext[Any]) -> str:
    """The language of the target chosen at the plan step."""
    plan = result_of(ctx, "plan")
    return squad_of_file(plan.chosen[0].file) if plan is not None else BACKEND


def when_squad(
    decide: Callable[[StepContext[Any]], str], squad: str
) -> Callable[[StepContext[Any]], bool]:
    """A step condition: `decide` names `squad`."""
    return lambda ctx: decide(ctx) == squad
