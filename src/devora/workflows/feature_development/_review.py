"""gate (qa): the quality gate on the changed lines, as a child run; review (qa): after a
qa approval, the branch devora/feature-<run-id> is kept, its worktree removed, the patch
kept as an artifact."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from devora.engine import Plan, StepContext, SubWorkflow, Workflow
from devora.errors import StepError
from devora.tools.git import git_output, run_git
from devora.workflows.feature_development._acceptance import AcceptanceReport
from devora.workflows.feature_development._implement import Implementation, remove_lanes
from devora.workflows.feature_development._project import feature_label, project_root

__all__ = ["KeptFeature", "gate_changed_lines", "keep_feature", "plan_keep"]

QUALITY_GATE = "devora.workflows.quality_gate:quality_gate"
_LINKED = (".venv", "venv", "node_modules")


class KeptFeature(BaseModel):
    """The branch the feature is kept on, and its patch."""

    branch: str
    commit: str
    patch_artifact: str


def _load_gate() -> Workflow:
    module, _, attribute = QUALITY_GATE.partition(":")
    gate = getattr(importlib.import_module(module), attribute)
    assert isinstance(gate, Workflow)
    return gate


async def gate_changed_lines(ctx: StepContext[Any]) -> dict[str, Any]:
    """The gate's verdict on the lines the feature changed (reported; the approver decides)."""
    done: Implementation = ctx.result("implement")
    worktree = Path(done.worktree)
    top = project_root(ctx)
    for name in _LINKED:  # the project's environment, which the worktree does not hold
        if (top / name).exists() and not (worktree / name).exists():
            (worktree / name).symlink_to(top / name)
    inputs = {"path": str(worktree), "changed": True, "base": done.base, "cache": False}
    try:
        outputs = await SubWorkflow(_load_gate(), inputs=inputs).run(ctx)
    except StepError as error:
        ctx.log(f"quality gate: {error.message}")
        outputs = {"passed": False, "error": error.message}
    ctx.add_artifact("gate.json", json.dumps(outputs, indent=2, default=str),
                     media_type="application/json")  # fmt: skip
    return outputs


def _branch(ctx: StepContext[Any]) -> str:
    return f"devora/{feature_label(ctx)}"


async def plan_keep(ctx: StepContext[Any]) -> Plan:
    """The branch that would be kept."""
    return Plan(summary=f"would keep the feature on {_branch(ctx)}", changes=[_branch(ctx)])


async def keep_feature(ctx: StepContext[Any]) -> KeptFeature:
    """After the qa approval: the worktree goes, the branch and feature.patch stay."""
    done: Implementation = ctx.result("implement")
    proven: AcceptanceReport = ctx.result("test")
    top = project_root(ctx)
    patch = await git_output(top, ["diff", "--binary", done.base, proven.head])
    await run_git(top, ["worktree", "remove", "--force", done.worktree], check=False)
    await run_git(top, ["worktree", "prune"], check=False)
    await remove_lanes(ctx)  # their commits are in the kept branch's history
    kept = ctx.add_artifact("feature.patch", patch, media_type="text/x-diff")
    ctx.log(f"kept the feature on {_branch(ctx)} ({proven.head[:12]})")
    return KeptFeature(branch=_branch(ctx), commit=proven.head, patch_artifact=str(kept))
