"""The quality gate on one pushed commit or pull request, in a clean checkout; the comment.

    checkout (devops) ─ gate (qa: the quality gate as a child run) ─ comment (qa) ─ verdict (qa)

checkout clones the repository and checks the commit out (detached) under Devora's home;
gate judges only the lines changed since the base; comment keeps the gate's Markdown as
`comment.md` and posts it back when a token is in the environment; verdict removes the
checkout and fails the run when the gate failed (compensation removes it on any failure).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from devora.engine import Plan, Step, StepContext, SubWorkflow, Workflow
from devora.errors import StepError
from devora.tools.git import run_git
from devora.workflows.commit_gate._github_api import api_url, comment_url, post_comment
from devora.workflows.quality_gate import quality_gate

__all__ = ["CommitGateInputs", "commit_gate"]

NO_COMMIT = "0" * 40


class CommitGateInputs(BaseModel):
    """The commit to judge, what to compare it with, and where its comment goes."""

    repository: str = Field(min_length=1, description="a clone URL or a local repository path")
    sha: str = Field(pattern=r"^[0-9a-f]{7,64}$", description="the commit to check")
    base: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{7,64}$",
        description="judge the lines changed since this commit (none: the whole tree)",
    )
    github_repository: str | None = Field(
        default=None, pattern=r"^[\w.-]+/[\w.-]+$", description="owner/name, to comment on"
    )
    pull_request: int | None = Field(default=None, ge=1)
    token_env: str = Field(default="GITHUB_TOKEN", description="env variable with the token")
    api_url: str | None = Field(default=None, description="default: $GITHUB_API_URL")


def _checkout_dir(ctx: StepContext[CommitGateInputs]) -> Path:
    return ctx.store.location.home / "checkouts" / ctx.run_id


async def checkout(ctx: StepContext[CommitGateInputs]) -> str:
    """A fresh clone of the repository with the commit checked out (detached)."""
    target = _checkout_dir(ctx)
    shutil.rmtree(target, ignore_errors=True)  # a resumed run starts from a clean clone
    target.parent.mkdir(parents=True, exist_ok=True)
    await run_git(
        target.parent,
        ["clone", "--quiet", "--no-checkout", ctx.inputs.repository, target.name],
        time_limit=600,
    )
    await run_git(target, ["checkout", "--quiet", "--detach", ctx.inputs.sha])
    ctx.log(f"checked out {ctx.inputs.sha} in {target}")
    return str(target)


async def remove_checkout(ctx: StepContext[CommitGateInputs]) -> None:
    """Compensation: the checkout goes, whatever happened."""
    shutil.rmtree(_checkout_dir(ctx), ignore_errors=True)


def _gate_inputs(ctx: StepContext[CommitGateInputs]) -> dict[str, Any]:
    base = ctx.inputs.base
    changed = base is not None and base != NO_COMMIT
    return {
        "path": ctx.result(checkout_step),
        "changed": changed,
        "base": base or "HEAD",
        "cache": False,
    }


_child_gate = SubWorkflow(quality_gate, inputs=_gate_inputs)


async def gate(ctx: StepContext[CommitGateInputs]) -> dict[str, Any]:
    """The quality gate as a child run; a failed gate is a result here, judged by verdict."""
    try:
        return {"passed": True, **await _child_gate.run(ctx)}
    except StepError as failed:
        return {"passed": False, "failure": failed.message}


async def _comment_text(ctx: StepContext[CommitGateInputs]) -> str:
    child = f"{ctx.run_id}.{gate_step.id}"
    artifacts = await ctx.store.call(ctx.store.artifacts, child)
    report = next((a for a in artifacts if a.name == "report.md"), None)
    text = None if report is None else await asyncio.to_thread(_read, Path(report.path))
    if text is not None:
        return text
    failure = ctx.result(gate_step).get("failure", "no report")
    return f"## Devora quality gate: not run to the end\n\n{failure}\n"


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _destination(ctx: StepContext[CommitGateInputs]) -> str | None:
    if ctx.inputs.github_repository is None:
        return None
    return comment_url(
        api_url(ctx.inputs.api_url),
        ctx.inputs.github_repository,
        pull_request=ctx.inputs.pull_request,
        sha=ctx.inputs.sha,
    )


async def comment(ctx: StepContext[CommitGateInputs]) -> dict[str, Any]:
    """Keep the comment (comment.md); post it when there is a repository and a token."""
    text = await _comment_text(ctx)
    ctx.add_artifact("comment.md", text, media_type="text/markdown")
    destination = _destination(ctx)
    token = os.environ.get(ctx.inputs.token_env)
    if destination is None or not token:
        reason = (
            "no GitHub repository" if destination is None else f"${ctx.inputs.token_env} is not set"
        )
        ctx.log(f"comment not posted: {reason} (kept as the artifact comment.md)")
        return {"posted": None, "reason": reason}
    posted = await post_comment(destination, token, text)
    ctx.log(f"comment posted: {posted}")
    return {"posted": posted, "reason": None}


async def plan_comment(ctx: StepContext[CommitGateInputs]) -> Plan:
    """Dry-run: where the comment would go."""
    destination = _destination(ctx)
    return Plan(
        summary=f"would post the gate's comment to {destination}"
        if destination
        else "would keep the comment only",
        predicted_output={"posted": None, "reason": "dry-run"},
    )


async def verdict(ctx: StepContext[CommitGateInputs]) -> bool:
    """Remove the checkout; fail the run when the gate failed."""
    await remove_checkout(ctx)
    result = ctx.result(gate_step)
    if not result.get("passed"):
        raise StepError(f"the quality gate failed: {result.get('failure', '')}")
    return True


checkout_step: Step[str] = Step("checkout", checkout, squad="devops", compensate=remove_checkout)
gate_step: Step[dict[str, Any]] = Step("gate", gate, squad="qa", needs=[checkout_step])
comment_step: Step[dict[str, Any]] = Step(
    "comment", comment, squad="qa", needs=[gate_step], side_effects=True, plan=plan_comment
)
verdict_step: Step[bool] = Step("verdict", verdict, squad="qa", needs=[comment_step])

commit_gate = Workflow(
    name="commit-gate",
    inputs=CommitGateInputs,
    steps=[checkout_step, gate_step, comment_step, verdict_step],
    description="The quality gate on a pushed commit or pull request in a clean checkout.",
    outputs=lambda ctx: {
        "passed": bool(ctx.result(gate_step).get("passed")),
        "score": ctx.result(gate_step).get("score"),
        "comment": ctx.result(comment_step).get("posted"),
    },
)
