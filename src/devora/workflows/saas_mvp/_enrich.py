"""Optional enrichment: the backend squad's coding agent improves the verified project (its
copy, or an extra endpoint) on a branch of its own; every check runs again on that branch,
and the change is merged only when all of them pass, else discarded with the evidence kept.

    enrich                      the agent (sandboxed, in a worktree), or a person without a model
    enrich-database, enrich-database-postgresql, enrich-backend, enrich-frontend,
    enrich-quality              the same checks as the first time, on a checkout of the branch;
                                a failure is recorded, not fatal
    enrich-merge                all passed: fast-forward the project to the branch; else discard

Opt-in (`--enrich`, or `[saas_mvp] enrich = true`); the generated project is then a git
repository (one commit, made by `architecture`), which the agent's worktree branches from.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from devora.config import load_config
from devora.engine import Plan, StepContext
from devora.squads import (
    Backend,
    CodeChange,
    code_change,
    effective_squads,
    find_agent,
    human_task_prompt,
    run_coding_agent,
)
from devora.tools.git import COMMITTER, run_git
from devora.workflows.saas_mvp._plan import CHECKS
from devora.workflows.saas_mvp._records import Architecture, Enrichment, Verification, Verified
from devora.workflows.saas_mvp._verify_steps import (
    check_backend,
    check_frontend,
    check_postgresql,
    check_quality_gate,
    check_sqlite,
    record_verifications,
)
from devora.workflows.saas_mvp._verify_tests import project_environment

__all__ = [
    "ENRICH_CHECKS",
    "ENRICH_TASK",
    "enrich_project",
    "enriched_backend_passed",
    "merge_enrichment",
    "plan_enrichment",
    "verify_enriched_backend",
    "verify_enriched_frontend",
    "verify_enriched_postgresql",
    "verify_enriched_quality",
    "verify_enriched_sqlite",
    "wants_enrichment",
]

SQUAD = "backend"
ENRICH_CHECKS = {f"enrich-{step}": step for step in CHECKS}
ENRICH_TASK = """\
This repository is a generated, verified FastAPI project: {product} ({entities}).
Improve it for its users with one small change: clearer copy on its pages or in its README
(titles, labels, help text), or one extra endpoint that fits the product, with a test for it.
Keep every existing test, page, form and element id, endpoint and migration working: after
your change the project's tests, its migration on SQLite and PostgreSQL, the app over HTTP,
sign-up -> create -> list in a browser and the quality gate (score >= {min_score}) all run
again, and your change is dropped if any of them does not pass."""
_CHECKOUT_LOCK = asyncio.Lock()  # the enrich-* steps share one checkout, made by the first


def wants_enrichment(ctx: StepContext[Any]) -> bool:
    """Only with --enrich (or `[saas_mvp] enrich = true`)."""
    return bool(ctx.inputs.enrich)


def enriched_backend_passed(ctx: StepContext[Any]) -> bool:
    """The browser and the gate run only on a change whose tests and HTTP check passed: one
    failure already discards it, and they would cost the most."""
    done: Verified | None = ctx.result("enrich-backend")
    return done is not None and all(v.passed for v in done.verifications)


def _task(ctx: StepContext[Any], architecture: Architecture) -> str:
    entities = ", ".join(entity.name for entity in architecture.entities)
    task = ENRICH_TASK.format(
        product=architecture.product, entities=entities, min_score=ctx.inputs.min_score
    )
    request = ctx.inputs.enrich_request
    return f"{task}\n\nWhat to do: {request}" if request else task


async def enrich_project(ctx: StepContext[Any]) -> CodeChange:
    """The coding agent's change on branch devora/<run id>; a person's without a model."""
    architecture: Architecture = ctx.result("architecture")
    root = Path(architecture.layout.root)
    config = load_config(None)
    member = find_agent(effective_squads(config), SQUAD, None)
    task = _task(ctx, architecture)
    if member.backend is not Backend.LLM or member.model is None:
        request = (
            f"{task}\n\nRepository: {root}. Make the change on a branch of your own, then "
            "give its branch, head_commit, files_changed and summary."
        )
        prompt = human_task_prompt(request, SQUAD, member)
        return ctx.wait_for_input(prompt, CodeChange, squad=SQUAD)
    environment = await project_environment(root, ctx.home / "cache" / "environments", ctx.log)
    allowed = [] if environment.python is None else [(str(environment.python), "-m", "pytest")]
    result = await run_coding_agent(
        ctx, config, member, root, task,
        allowed_commands=allowed, worktrees_root=ctx.home / "worktrees",
    )  # fmt: skip
    return code_change(ctx, result, "enrich.patch")


async def _checkout(ctx: StepContext[Any]) -> Path:
    """A detached checkout of the change's commit, where the checks run again."""
    change: CodeChange = ctx.result("enrich")
    root = Path(ctx.result("architecture").layout.root)
    path = ctx.home / "saas-mvp" / ctx.run_id / "enriched"
    async with _CHECKOUT_LOCK:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            add = ["worktree", "add", "-q", "--detach", str(path), change.head_commit]
            await run_git(root, add)
    return path


async def _verify(ctx: StepContext[Any], check: Any) -> Verified:
    return record_verifications(ctx, await check(ctx, await _checkout(ctx)), fatal=False)


async def verify_enriched_sqlite(ctx: StepContext[Any]) -> Verified:
    """The enriched project's migration on a fresh SQLite file (recorded, not fatal)."""
    return await _verify(ctx, check_sqlite)


async def verify_enriched_postgresql(ctx: StepContext[Any]) -> Verified:
    """The enriched project's migration on a fresh PostgreSQL database (recorded, not fatal)."""
    return await _verify(ctx, check_postgresql)


async def verify_enriched_backend(ctx: StepContext[Any]) -> Verified:
    """The enriched project's tests and HTTP round-trip (recorded, not fatal)."""
    return await _verify(ctx, check_backend)


async def verify_enriched_frontend(ctx: StepContext[Any]) -> Verified:
    """Sign up → create → list in Chromium on the enriched project (recorded, not fatal)."""
    return await _verify(ctx, check_frontend)


async def verify_enriched_quality(ctx: StepContext[Any]) -> Verified:
    """The quality gate on the enriched project as a child run (recorded, not fatal)."""
    return await _verify(ctx, check_quality_gate)


async def merge_enrichment(ctx: StepContext[Any]) -> Enrichment:
    """Fast-forward the project to the change when every check passed; else discard it."""
    change: CodeChange = ctx.result("enrich")
    root = Path(ctx.result("architecture").layout.root)
    checks: list[Verification] = []
    skipped: list[str] = []
    for step in ENRICH_CHECKS:
        done = ctx.result(step)
        if done is None:
            skipped.append(f"{step} (not run: an earlier check failed)")
        else:
            checks.extend(Verified.model_validate(done).verifications)
    failed = (*(v.name for v in checks if not v.passed), *skipped)
    reason = None
    if not change.files_changed:
        reason = "the change touches no file"
    elif failed:
        reason = f"did not pass: {', '.join(failed)}"
    else:
        merged = await run_git(
            root, [*COMMITTER, "merge", "-q", "--ff-only", change.head_commit], check=False
        )
        if merged.returncode != 0:
            reason = f"could not be merged: {(merged.stderr or merged.stdout).strip()[-500:]}"
    await _clean_up(ctx, root, change)
    record = Enrichment(
        kept=reason is None,
        branch=change.branch,
        head_commit=change.head_commit,
        files_changed=tuple(change.files_changed),
        summary=change.summary,
        patch_artifact=change.patch_artifact,
        reason=reason,
        failed=failed,
    )
    ctx.add_artifact(
        "enrichment.json", json.dumps(record.model_dump(mode="json"), indent=2),
        media_type="application/json",
    )  # fmt: skip
    if record.kept:
        ctx.log(f"enrichment kept: {', '.join(change.files_changed)} merged into {root}")
    else:
        ctx.log(f"enrichment discarded ({reason}); its patch: {change.patch_artifact}")
    return record


async def _clean_up(ctx: StepContext[Any], root: Path, change: CodeChange) -> None:
    """Remove the checkout and the agent's worktree and branch (the patch artifact stays)."""
    checkout = ctx.home / "saas-mvp" / ctx.run_id / "enriched"
    if checkout.exists():
        await run_git(root, ["worktree", "remove", "--force", str(checkout)])
    if change.branch != f"devora/{ctx.run_id}":
        return  # a person's branch is theirs to keep
    listed = await run_git(root, ["worktree", "list", "--porcelain"])
    path = None
    for line in listed.stdout.splitlines():
        if line.startswith("worktree "):
            path = line.removeprefix("worktree ")
        elif line == f"branch refs/heads/{change.branch}" and path is not None:
            await run_git(root, ["worktree", "remove", "--force", path])
    found = await run_git(root, ["rev-parse", "--verify", "-q", change.branch], check=False)
    if found.returncode == 0:
        await run_git(root, ["branch", "-D", "-q", change.branch])


async def plan_enrichment(ctx: StepContext[Any]) -> Plan:
    """What the enrichment would do."""
    if ctx.step_id == "enrich-merge":
        return Plan(summary="merge the enrichment when every check passed, else discard it")
    if ctx.step_id == "enrich":
        return Plan(summary=f"the {SQUAD} squad's coding agent improves the project")
    text = CHECKS[ENRICH_CHECKS[ctx.step_id]].format(min_score=ctx.inputs.min_score)
    return Plan(summary=f"verify the enriched project: {text}")
