"""Undoing recorded git operations: the compensations of a release saga.

Each undo is idempotent (running it twice, or after a crash halfway, is safe) and refuses,
with UndoRefusedError, when undoing would throw away work done after the operation.
"""

from __future__ import annotations

from devora.tools.release._errors import UndoRefusedError
from devora.tools.release._records import (
    CreatedCommit,
    CreatedTag,
    PushedRelease,
    UndoneOperation,
)
from devora.tools.release._repository import GitRepository, revert_marker

__all__ = ["undo_commit", "undo_push", "undo_tag"]


async def undo_tag(repo: GitRepository, created: CreatedTag) -> UndoneOperation:
    """Delete a tag created by ``create_tag``, if it still marks the same commit."""
    target = await repo.tag_target(created.name)
    if target is None:
        return UndoneOperation(
            operation="delete local tag",
            description=f"tag {created.name} was already absent",
        )
    if target != created.target:
        raise UndoRefusedError(
            f"tag {created.name}",
            f"it now marks {target[:7]}, not the release commit {created.target[:7]}",
        )
    await repo.delete_tag(created.name)
    return UndoneOperation(
        operation="delete local tag",
        description=f"deleted tag {created.name} (was {created.target[:7]})",
    )


async def undo_commit(repo: GitRepository, created: CreatedCommit) -> UndoneOperation:
    """Reset the branch to the commit's parent; keep it when it was pushed and reverted."""
    head = await repo.head()
    if head == created.parent:
        return UndoneOperation(
            operation="reset release commit",
            description=f"{created.hash[:7]} was already gone (HEAD is {head[:7]})",
        )
    if head != created.hash:
        top = await repo.commit(head)
        if top.parents[:1] == (created.hash,) and revert_marker(created.hash) in top.body:
            # Published history is never rewritten: a pushed release is undone by a revert.
            return UndoneOperation(
                operation="reset release commit",
                description=f"kept {created.hash[:7]}: it was pushed, and {head[:7]} reverts it",
            )
        raise UndoRefusedError(
            f"release commit {created.hash[:7]}",
            f"HEAD has moved on to {head[:7]}; resetting would drop the commits after it",
        )
    branch = await repo.current_branch()
    if branch != created.branch:
        raise UndoRefusedError(
            f"release commit {created.hash[:7]}",
            f"the checked-out branch is {branch or 'a detached HEAD'}, not {created.branch}",
        )
    dirty = await repo.dirty_paths(include_untracked=False)
    if dirty:
        raise UndoRefusedError(
            f"release commit {created.hash[:7]}",
            f"resetting would discard uncommitted changes in {', '.join(dirty)}",
            hint="commit or stash them, then run the rollback again",
        )
    await repo.reset_to(created.parent, mode="hard")
    return UndoneOperation(
        operation="reset release commit",
        description=f"reset {created.branch or 'HEAD'} from {created.hash[:7]} "
        f"back to {created.parent[:7]}",
    )


async def undo_push(repo: GitRepository, pushed: PushedRelease) -> list[UndoneOperation]:
    """Delete the pushed tag on the remote and push a revert of the release commit.

    Checks first, then acts: when the remote branch has moved on, nothing is changed.
    """
    remote_head = await repo.remote_ref(pushed.remote, f"refs/heads/{pushed.branch}")
    head = await repo.head()
    branch = await repo.current_branch()
    top = await repo.commit(head)
    # A revert made by an earlier attempt whose push then failed: only the push is left.
    reverted_locally = (
        top.parents[:1] == (pushed.commit,) and revert_marker(pushed.commit) in top.body
    )
    needs_revert = remote_head == pushed.commit
    on_release = head == pushed.commit or reverted_locally
    if needs_revert and (branch != pushed.branch or not on_release):
        raise UndoRefusedError(
            f"push of {pushed.commit[:7]}",
            f"the revert must be made on {pushed.branch} at {pushed.commit[:7]}, "
            f"but HEAD is {head[:7]} on {branch or 'no branch'}",
        )
    already_reverted = not needs_revert and remote_head == head and reverted_locally
    if not needs_revert and not already_reverted:
        raise UndoRefusedError(
            f"push of {pushed.commit[:7]}",
            f"{pushed.remote}/{pushed.branch} is now at "
            f"{remote_head[:7] if remote_head else 'nothing'}, not the release commit",
            hint="others have pushed since the release: fetch, then revert the release "
            "commit by hand",
        )
    done: list[UndoneOperation] = []
    if pushed.tag is not None:
        deleted = await repo.delete_remote_tag(pushed.remote, pushed.tag)
        done.append(
            UndoneOperation(
                operation="delete remote tag",
                description=f"deleted tag {pushed.tag} on {pushed.remote}"
                if deleted
                else f"tag {pushed.tag} was already absent on {pushed.remote}",
            )
        )
    if already_reverted:
        done.append(
            UndoneOperation(
                operation="revert pushed commit",
                description=f"{pushed.commit[:7]} was already reverted by {head[:7]} "
                f"on {pushed.remote}/{pushed.branch}",
            )
        )
        return done
    revert = head if reverted_locally else await repo.revert_commit(pushed.commit)
    await repo.push_branch(pushed.remote, pushed.branch)
    done.append(
        UndoneOperation(
            operation="revert pushed commit",
            description=f"pushed {revert[:7]} reverting {pushed.commit[:7]} "
            f"to {pushed.remote}/{pushed.branch}",
        )
    )
    return done
