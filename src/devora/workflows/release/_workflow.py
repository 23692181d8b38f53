"""Release management: validate → version → changelog → quality → tag → publish.

    validate (qa)  the repository: clean, on the release branch, its last release tag
    version (devops)  the next semantic version from the Conventional Commits since
    changelog (documentation)  a Markdown section prepended to CHANGELOG.md; an artifact
    quality (qa)  the quality gate as a child run, with --quality-gate
    tag (devops)  bump the version files, commit, annotated tag
    publish (devops)  push commit and tag to the remote, after an approval if configured

A failure after the changelog rolls back: the remote tag deleted and a revert pushed
(if published), the local tag deleted, the release commit reset, the changelog restored.
"""

from __future__ import annotations

from typing import Any

from devora.engine import Step, StepContext, Workflow
from devora.workflows import register_command_line
from devora.workflows.release._config import ReleaseInputs
from devora.workflows.release._prepare import (
    compute_release_version,
    plan_changelog_update,
    prepend_changelog_section,
    undo_changelog,
    validate_repository,
)
from devora.workflows.release._present import present_release
from devora.workflows.release._publish import (
    plan_publish,
    publish_release,
    undo_publish,
    will_push,
)
from devora.workflows.release._quality import RunQualityGate
from devora.workflows.release._records import (
    ChangelogUpdate,
    Published,
    ReleaseCommit,
    ReleasePlan,
    RepositoryState,
)
from devora.workflows.release._tag import commit_and_tag, plan_commit_and_tag, undo_release_commit

__all__ = [
    "changelog_step",
    "publish_step",
    "quality_step",
    "release",
    "release_outputs",
    "release_steps",
    "tag_step",
    "validate_step",
    "version_step",
]

GIT_TIMEOUT = 300

validate_step: Step[RepositoryState] = Step(
    "validate", validate_repository, squad="qa", timeout=GIT_TIMEOUT
)
version_step: Step[ReleasePlan] = Step(
    "version", compute_release_version, squad="devops", needs=[validate_step]
)
changelog_step: Step[ChangelogUpdate] = Step(
    "changelog",
    prepend_changelog_section,
    squad="documentation",
    needs=[version_step],
    side_effects=True,
    plan=plan_changelog_update,
    compensate=undo_changelog,
)
quality_step = Step(
    "quality",
    RunQualityGate(),
    squad="qa",
    needs=[changelog_step],
    when=lambda ctx: bool(ctx.inputs.quality_gate),
    description="Run the quality gate on the repository as a child run.",
)
tag_step: Step[ReleaseCommit] = Step(
    "tag",
    commit_and_tag,
    squad="devops",
    needs=[changelog_step, quality_step],
    side_effects=True,
    plan=plan_commit_and_tag,
    compensate=undo_release_commit,
    timeout=GIT_TIMEOUT,
)
publish_step: Step[Published] = Step(
    "publish",
    publish_release,
    squad="devops",
    needs=[tag_step],
    when=will_push,
    side_effects=True,
    plan=plan_publish,
    compensate=undo_publish,
    timeout=GIT_TIMEOUT,
)

release_steps = (validate_step, version_step, changelog_step, quality_step, tag_step, publish_step)


def release_outputs(ctx: StepContext[Any]) -> dict[str, Any]:
    """The released version, its tag and commit, and where it was pushed."""
    state: RepositoryState = ctx.result("validate")
    plan: ReleasePlan = ctx.result("version")
    release: ReleaseCommit = ctx.result("tag")
    published = ctx.result("publish")
    pushed = Published.model_validate(published) if published is not None else None
    return {
        "version": plan.version,
        "previous": plan.next.previous,
        "tag": release.tag_name,
        "commit": release.commit.hash if release.commit else None,
        "changelog": state.settings.changelog,
        "pushed_to": pushed.pushed.remote if pushed else None,
        "non_conventional": [c.short_hash for c in plan.next.non_conventional],
    }


release = Workflow(
    name="release",
    description="Next version from Conventional Commits, changelog, tag and publish, "
    "with rollback.",
    steps=release_steps,
    inputs=ReleaseInputs,
    outputs=release_outputs,
    concurrency=1,
)
register_command_line(release, positional=("path",), present=present_release)
