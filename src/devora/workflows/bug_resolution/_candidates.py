"""Candidate fixes, each in a worktree of its own on branch devora/fix-<run-id>-<label>:
the culprit reverted, the coding agent's change, or a person's commit."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from devora.agents import find_bubblewrap, sandbox_confinement
from devora.config import DevoraConfig
from devora.engine import StepContext
from devora.squads import Agent
from devora.tools import confined
from devora.tools.bisect import CommitInfo, resolve_commit
from devora.tools.git import COMMITTER, Worktree, open_worktree, run_git
from devora.workflows.bug_resolution._judge import judge_candidate
from devora.workflows.bug_resolution._llm import run_agent, worktrees_root
from devora.workflows.bug_resolution._records import (
    Candidate,
    CandidateKind,
    ReproductionReport,
)

__all__ = ["HumanFix", "agent_candidate", "discard", "human_candidate", "revert_candidate"]


class HumanFix(BaseModel):
    """A fix a person made: the commit holding it."""

    commit: str = Field(description="the commit with the fix (on a branch based on the base)")
    summary: str = Field(default="", description="what was changed and why")


async def _judged(
    worktree: Worktree,
    kind: CandidateKind,
    label: str,
    reproduction: ReproductionReport,
    repeat: int,
    summary: str,
    bwrap: str | None = None,
) -> Candidate:
    with _sandboxed(bwrap, worktree.path, reproduction):
        judgement = await judge_candidate(worktree.path, reproduction, repeat)
    return Candidate(
        kind=kind,
        label=label,
        base=worktree.base_commit,
        branch=worktree.branch,
        worktree=str(worktree.path),
        commit=await worktree.head(),
        files=await worktree.changed_files(),
        summary=summary,
        patch=await worktree.patch(),
        judgement=judgement,
        rejected_because=None if judgement.accepted else judgement.reasons(),
    )


@contextlib.contextmanager
def _sandboxed(
    bwrap: str | None, worktree: Path, reproduction: ReproductionReport
) -> Iterator[None]:
    # The agent's code (its tests too) runs in the agent's sandbox, as its commands did.
    if bwrap is None:
        yield
        return
    readable = [Path(reproduction.repository)]
    if reproduction.python:
        prefix = Path(reproduction.python).parent.parent
        readable.extend(dict.fromkeys([prefix, prefix.resolve()]))
    scratch = worktree.parent / f"{worktree.name}-scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    with confined(sandbox_confinement(bwrap, worktree, scratch, readable)):
        yield


async def revert_candidate(
    ctx: StepContext[Any], reproduction: ReproductionReport, culprit: CommitInfo, repeat: int
) -> Candidate:
    """The culprit commit reverted on top of the base: a repair that needs no model."""
    label = f"fix-{ctx.run_id}-revert"
    top = Path(reproduction.repository)
    worktree = await open_worktree(top, label, root=worktrees_root(ctx), base=reproduction.base)
    summary = f'Revert "{culprit.subject}" ({culprit.hash[:12]}), the commit bisection named'
    if await worktree.head() == worktree.base_commit:  # not reverted yet (a resumed step)
        done = await run_git(
            worktree.path,
            [*COMMITTER, "revert", "--no-edit", culprit.hash],
            check=False,
            time_limit=120,
        )
        if done.returncode != 0:
            await run_git(worktree.path, ["revert", "--abort"], check=False)
            detail = (done.stdout + done.stderr).strip().splitlines()[-1:]
            await discard(top, worktree.branch, worktree.path)
            return Candidate(
                kind=CandidateKind.REVERT,
                label="revert",
                base=reproduction.base,
                summary=summary,
                rejected_because=f"the revert does not apply cleanly: {' '.join(detail)}",
            )
    return await _judged(worktree, CandidateKind.REVERT, "revert", reproduction, repeat, summary)


async def agent_candidate(
    ctx: StepContext[Any],
    reproduction: ReproductionReport,
    config: DevoraConfig,
    member: Agent,
    task: str,
    attempt: int,
    repeat: int,
) -> Candidate:
    """The coding agent's change, in a worktree started from the base."""
    label = f"fix-{ctx.run_id}-agent-{attempt}"
    top = Path(reproduction.repository)
    # Made here so the agent starts from the base (with --issue: the reproducer's commit).
    await open_worktree(top, label, root=worktrees_root(ctx), base=reproduction.base)
    bwrap = await find_bubblewrap() if config.agents.sandbox == "on" else None
    result = await run_agent(ctx, config, member, top, task, label)
    worktree = await open_worktree(top, label, root=worktrees_root(ctx))
    return await _judged(
        worktree, CandidateKind.AGENT, f"agent-{attempt}", reproduction, repeat,
        result.summary, bwrap,
    )  # fmt: skip


async def human_candidate(
    ctx: StepContext[Any], reproduction: ReproductionReport, prompt: str, repeat: int
) -> Candidate:
    """A person's commit (the run waits for it), judged like any other candidate."""
    answer = ctx.wait_for_input(prompt, HumanFix, squad=ctx.step_id.removeprefix("fix_"))
    top = Path(reproduction.repository)
    commit = await resolve_commit(top, answer.commit, "commit")
    label = f"fix-{ctx.run_id}-human"
    worktree = await open_worktree(top, label, root=worktrees_root(ctx), base=reproduction.base)
    if await worktree.head() != commit:
        await run_git(worktree.path, ["reset", "--hard", "--quiet", commit], time_limit=120)
    return await _judged(
        worktree, CandidateKind.HUMAN, "human", reproduction, repeat,
        answer.summary or f"a person's fix ({commit[:12]})",
    )  # fmt: skip


async def discard(repository: Path, branch: str | None, path: str | Path | None) -> None:
    """Remove a candidate's worktree and branch (a rejected or abandoned candidate)."""
    if path is not None:
        await run_git(repository, ["worktree", "remove", "--force", str(path)], check=False)
    await run_git(repository, ["worktree", "prune"], check=False)
    if branch is not None:
        await run_git(repository, ["branch", "-D", branch], check=False)
        await run_git(repository, ["config", "--remove-section", f"branch.{branch}"], check=False)
