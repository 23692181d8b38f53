"""The release commit and tag: bump the version files, commit them with the changelog, tag.

The step undoes its own partial work when it fails halfway (a failed step has no
compensation); once it has succeeded, `undo_release_commit` is its compensation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from devora.engine import Plan, StepContext
from devora.errors import StepError
from devora.tools.release import (
    CreatedCommit,
    CreatedTag,
    FileChange,
    GitRepository,
    UndoneOperation,
    open_repository,
    read_text_or_none,
    undo_commit,
    undo_file_changes,
    undo_tag,
    write_file_changes,
)
from devora.workflows.release._config import ReleaseInputs
from devora.workflows.release._history import version_file_changes
from devora.workflows.release._records import (
    ReleaseCommit,
    ReleasePlan,
    RepositoryState,
)
from devora.workflows.release._report import report_undone

__all__ = ["commit_and_tag", "plan_commit_and_tag", "undo_release_commit"]


async def _planned(
    ctx: StepContext[Any],
) -> tuple[GitRepository, RepositoryState, ReleasePlan, ReleaseCommit, str]:
    state: RepositoryState = ctx.result("validate")
    plan: ReleasePlan = ctx.result("version")
    repo = await open_repository(state.root)
    changes = await version_file_changes(
        repo, state.head, state.settings.version_files, plan.version
    )
    previous = plan.next.previous or "none"
    release = ReleaseCommit(
        message=f"chore(release): {plan.version}\n\nVersion {previous} -> {plan.version}.",
        tag_name=plan.tag,
        files=changes,
    )
    return repo, state, plan, release, f"Release {plan.version}"


def _committed_paths(state: RepositoryState, release: ReleaseCommit) -> list[str]:
    paths = [state.settings.changelog, *(change.path for change in release.files)]
    return list(dict.fromkeys(paths))


async def plan_commit_and_tag(ctx: StepContext[ReleaseInputs]) -> Plan:
    """Show the version files' diffs, the commit and the tag the step would make."""
    _, state, plan, release, tag_message = await _planned(ctx)
    paths = _committed_paths(state, release)
    changes = [change.diff for change in release.files if change.diff]
    subject = release.message.splitlines()[0]
    changes.append(f"commit {', '.join(paths)} on {state.branch}: {subject}")
    changes.append(f"create annotated tag {plan.tag} ({tag_message})")
    bumped = ", ".join(f"{c.path} {c.old_version} -> {c.new_version}" for c in release.files)
    return Plan(
        summary=f"would release {plan.version} as tag {plan.tag}"
        + (f"; bump {bumped}" if bumped else ""),
        changes=changes,
        details={
            "version": plan.version,
            "tag": plan.tag,
            "files": {change.path: change.diff for change in release.files},
        },
        predicted_output=release,
    )


async def commit_and_tag(ctx: StepContext[ReleaseInputs]) -> ReleaseCommit:
    """Bump the version files, commit them with the changelog, and tag the commit."""
    repo, state, plan, release, tag_message = await _planned(ctx)
    if await repo.head() != state.head:
        return await _resume(ctx, repo, state, release, tag_message)
    root = Path(state.root)
    write_file_changes(root, [c for c in release.files if _current(root, c) != c.new_text])
    paths = _committed_paths(state, release)
    try:
        commit = await repo.commit_files(paths, release.message)
    except BaseException:
        # A refused commit (a hook, say) leaves the files staged: unstage, then restore
        # the version files (the changelog is the changelog step's to restore).
        await repo.git("restore", "--staged", "--", *paths, check=False)
        undo_file_changes(root, release.files)
        raise
    try:
        tag = await repo.create_tag(plan.tag, tag_message, target=commit.hash)
    except BaseException:
        await undo_commit(repo, commit)
        raise
    ctx.log(f"committed {commit.hash[:7]} and tagged it {tag.name}")
    return release.model_copy(update={"commit": commit, "tag": tag})


def _current(root: Path, change: FileChange) -> str | None:
    return read_text_or_none(root / change.path)


async def _resume(
    ctx: StepContext[ReleaseInputs],
    repo: GitRepository,
    state: RepositoryState,
    release: ReleaseCommit,
    tag_message: str,
) -> ReleaseCommit:
    """The step ran before (a crash before its result was journaled): adopt its commit."""
    head = await repo.head()
    top = await repo.commit(head)
    if top.parents[:1] != (state.head,) or top.subject != release.message.splitlines()[0]:
        raise StepError(
            f"{state.branch} moved from {state.head[:7]} to {head[:7]} during the release",
            hint="start a new release run; this one cannot tell its work from the new commits",
        )
    commit = CreatedCommit(
        hash=head,
        parent=state.head,
        branch=state.branch,
        paths=tuple(_committed_paths(state, release)),
        message=release.message,
    )
    target = await repo.tag_target(release.tag_name)
    if target is None:
        tag = await repo.create_tag(release.tag_name, tag_message, target=head)
    elif target == head:
        tag = CreatedTag(name=release.tag_name, target=head, message=tag_message)
    else:
        raise StepError(f"tag {release.tag_name} exists and marks {target[:7]}, not {head[:7]}")
    ctx.log(f"resumed: adopted release commit {head[:7]} and tag {tag.name}")
    return release.model_copy(update={"commit": commit, "tag": tag})


async def undo_release_commit(ctx: StepContext[ReleaseInputs]) -> None:
    """Compensation: delete the local tag and reset the release commit (kept if reverted)."""
    state: RepositoryState = ctx.result("validate")
    release: ReleaseCommit = ctx.result("tag")
    repo = await open_repository(state.root)
    done: list[UndoneOperation] = []
    if release.tag is not None:
        done.append(await undo_tag(repo, release.tag))
    if release.commit is not None:
        done.append(await undo_commit(repo, release.commit))
    done.append(undo_file_changes(Path(state.root), release.files))
    report_undone(ctx, done)
