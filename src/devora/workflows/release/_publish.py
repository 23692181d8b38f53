"""Publishing: push the release commit and tag atomically, behind an approval when asked.
Its compensation pushes a revert and deletes the remote tag."""

from __future__ import annotations

from devora.engine import Plan, StepContext
from devora.errors import StepError
from devora.tools.release import open_repository, undo_push
from devora.workflows.release._config import ReleaseInputs
from devora.workflows.release._records import (
    Published,
    ReleaseCommit,
    RepositoryState,
)
from devora.workflows.release._report import report_undone

__all__ = ["plan_publish", "publish_release", "undo_publish", "will_push"]


def will_push(ctx: StepContext[ReleaseInputs]) -> bool:
    """Publish runs when the release has a remote to push to."""
    return ctx.result("validate").settings.remote is not None


def _target(state: RepositoryState) -> str:
    remote = state.settings.remote
    return f"{remote} ({state.remote_url})" if state.remote_url else str(remote)


def plan_publish(ctx: StepContext[ReleaseInputs]) -> Plan:
    """Say what would be pushed where, and whether an approval is needed first."""
    state: RepositoryState = ctx.result("validate")
    release: ReleaseCommit = ctx.result("tag")
    gate = f" after an approval by {state.settings.approval}" if state.settings.approval else ""
    return Plan(
        summary=f"would push {state.branch} and tag {release.tag_name} to {_target(state)}{gate}",
        changes=[
            f"push refs/heads/{state.branch} to {state.settings.remote}",
            f"push refs/tags/{release.tag_name} to {state.settings.remote}",
        ],
        details={"remote": state.settings.remote, "approval": state.settings.approval},
    )


async def publish_release(ctx: StepContext[ReleaseInputs]) -> Published:
    """Push the release branch and tag together (both arrive or neither does)."""
    state: RepositoryState = ctx.result("validate")
    release: ReleaseCommit = ctx.result("tag")
    remote = state.settings.remote
    if remote is None:  # pragma: no cover - the step's condition prevents it
        raise StepError("the release has no remote to push to")
    if state.settings.approval is not None:
        answer = ctx.wait_for_approval(
            f"push {state.branch} and tag {release.tag_name} to {_target(state)}?",
            squad=state.settings.approval,
        )
        if not answer.approved:
            why = f": {answer.comment}" if answer.comment else ""
            by = f" by {answer.by}" if answer.by else ""
            raise StepError(
                f"publishing {release.tag_name} was rejected{by}{why}",
                hint="the release commit and tag are rolled back; run the release again "
                "when it is approved",
            )
    repo = await open_repository(state.root)
    pushed = await repo.push(remote, state.branch, release.tag_name)
    ctx.log(f"pushed {state.branch} ({pushed.commit[:7]}) and {release.tag_name} to {remote}")
    return Published(pushed=pushed, remote_url=state.remote_url)


async def undo_publish(ctx: StepContext[ReleaseInputs]) -> None:
    """Compensation: delete the tag on the remote and push a revert of the release commit."""
    state: RepositoryState = ctx.result("validate")
    published: Published = ctx.result("publish")
    repo = await open_repository(state.root)
    report_undone(ctx, await undo_push(repo, published.pushed))
