"""The reading half of a release: validate the repository, compute the version, write the
changelog (the only file change before the release commit, undone on rollback)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from devora.engine import Plan, StepContext
from devora.errors import StepError
from devora.tools.release import (
    BumpRules,
    GitRepository,
    TagFormat,
    UndoneOperation,
    bump_version_text,
    compute_next_version,
    open_repository,
    parse_version,
    read_text_or_none,
    render_changelog_section,
    undo_file_changes,
    version_file_kind,
    write_file_changes,
)
from devora.workflows.release._config import ReleaseInputs, resolve_settings
from devora.workflows.release._history import changelog_change
from devora.workflows.release._records import (
    ChangelogUpdate,
    ReleasePlan,
    RepositoryState,
)
from devora.workflows.release._report import report_undone

__all__ = [
    "compute_release_version",
    "plan_changelog_update",
    "prepend_changelog_section",
    "undo_changelog",
    "validate_repository",
]


async def validate_repository(ctx: StepContext[ReleaseInputs]) -> RepositoryState:
    """A git repository with commits, a clean tree, on the release branch; its last release."""
    repo = await open_repository(ctx.inputs.path)
    if not await repo.has_commits():
        raise StepError(
            f"{repo.root} has no commits yet", hint="commit the project before releasing it"
        )
    await repo.ensure_clean()
    settings = resolve_settings(ctx.inputs, repo.root)
    branch = await repo.current_branch()
    if branch is None:
        raise StepError(
            f"HEAD is detached in {repo.root}",
            hint=f"check out the release branch ({settings.branch or 'main'}) first",
        )
    if settings.branch is not None and branch != settings.branch:
        raise StepError(
            f"{repo.root} is on branch {branch!r}, but releases are made from {settings.branch!r}",
            hint=f"git switch {settings.branch}, or pass --branch {branch}",
        )
    _check_version_files(repo.root, settings.version_files)
    last = await repo.last_release_tag(settings.tag_format)
    commits = await repo.commits_since(last.name if last else None)
    remote_url = None
    if settings.remote is not None:
        remote_url = await _check_remote(repo, settings.remote, branch)
    head = await repo.head()
    ctx.log(
        f"on {branch} at {head[:7]}; last release "
        f"{last.name if last else 'none (first release)'}; {len(commits)} commit(s) since"
    )
    return RepositoryState(
        root=str(repo.root),
        branch=branch,
        head=head,
        settings=settings,
        last_tag=last,
        commits=tuple(commits),
        remote_url=remote_url,
    )


def _mask_credentials(url: str) -> str:
    """A remote URL without the user:token part a HTTPS remote may carry."""
    return re.sub(r"(?<=://)[^/@\s]+@", "***@", url)


async def _check_remote(repo: GitRepository, remote: str, branch: str) -> str:
    """The remote exists, answers, and has nothing on the branch that HEAD lacks."""
    found = await repo.git("remote", "get-url", "--", remote, check=False)
    if found.returncode != 0:
        raise StepError(
            f"{repo.root} has no remote named {remote!r}",
            hint=f"git remote add {remote} URL, pass --remote NAME, "
            "or --no-push to release without pushing",
        )
    remote_head = await repo.remote_ref(remote, f"refs/heads/{branch}")
    if remote_head is not None:
        ancestor = await repo.git("merge-base", "--is-ancestor", remote_head, "HEAD", check=False)
        if ancestor.returncode != 0:
            raise StepError(
                f"{remote}/{branch} has commits that {branch} does not have "
                f"(it is at {remote_head[:7]})",
                hint=f"git pull {remote} {branch}, then release again",
            )
    return _mask_credentials(found.stdout.strip())


def _check_version_files(root: Path, files: tuple[str, ...]) -> None:
    """Fail before anything is written when a version file cannot be bumped."""
    for relative in files:
        text = read_text_or_none(root / relative)
        if text is None:
            raise StepError(
                f"version file {relative} does not exist in {root}",
                hint="fix version_files in the release config, or pass --version-files",
            )
        bump_version_text(text, version_file_kind(relative), "0.0.0", path=relative)


async def compute_release_version(ctx: StepContext[ReleaseInputs]) -> ReleasePlan:
    """The next version from the Conventional Commits since the last release tag."""
    state: RepositoryState = ctx.result("validate")
    last = state.last_tag
    next_version = compute_next_version(
        list(state.commits),
        current=parse_version(last.version, source="tag") if last else None,
        last_tag=last.name if last else None,
        rules=BumpRules(major_version_zero=state.settings.major_version_zero),
        increment=ctx.inputs.increment,
        prerelease=ctx.inputs.prerelease,
        version=ctx.inputs.version,
    )
    tag = TagFormat(state.settings.tag_format).render(parse_version(next_version.version))
    repo = await open_repository(state.root)
    if await repo.tag_target(tag) is not None:
        raise StepError(
            f"tag {tag} already exists in {state.root}",
            hint="the release was made already: fetch the tags, or pass --version",
        )
    ctx.log(
        f"next version {next_version.previous or '(none)'} -> {next_version.version}: "
        f"{next_version.reason}"
    )
    for commit in next_version.non_conventional:
        ctx.log(
            f"not a Conventional Commit (listed under Other Changes): "
            f"{commit.short_hash} {commit.subject}"
        )
    ctx.set_summary(version=next_version.version)
    return ReleasePlan(next=next_version, tag=tag)


async def _changelog_update(
    ctx: StepContext[ReleaseInputs],
) -> tuple[RepositoryState, ChangelogUpdate]:
    state: RepositoryState = ctx.result("validate")
    plan: ReleasePlan = ctx.result("version")
    section = render_changelog_section(
        plan.version,
        dt.date.today(),
        plan.next.commits,
        non_conventional=plan.next.non_conventional,
    )
    repo = await open_repository(state.root)
    change = await changelog_change(repo, state.head, state.settings.changelog, section)
    ctx.add_artifact(f"CHANGELOG-{plan.version}.md", section, media_type="text/markdown")
    return state, ChangelogUpdate(section=section, change=change)


async def plan_changelog_update(ctx: StepContext[ReleaseInputs]) -> Plan:
    """Show the changelog section and the diff to the changelog file."""
    _, update = await _changelog_update(ctx)
    path = update.change.path
    verb = "create" if update.change.old_text is None else "prepend to"
    return Plan(
        summary=f"would {verb} {path}: {update.section.splitlines()[0]}",
        changes=[update.change.diff],
        details={"section": update.section, "path": path, "diff": update.change.diff},
        predicted_output=update,
    )


async def prepend_changelog_section(ctx: StepContext[ReleaseInputs]) -> ChangelogUpdate:
    """Prepend the release's section to the changelog file."""
    state, update = await _changelog_update(ctx)
    root = Path(state.root)
    if read_text_or_none(root / update.change.path) != update.change.new_text:  # not resumed
        write_file_changes(root, [update.change])
    ctx.log(f"wrote {update.change.path}: {update.section.splitlines()[0]}")
    return update


async def undo_changelog(ctx: StepContext[ReleaseInputs]) -> None:
    """Compensation: put the changelog file back as it was, unless a commit holds it now."""
    state: RepositoryState = ctx.result("validate")
    update: ChangelogUpdate = ctx.result("changelog")
    repo = await open_repository(state.root)
    head = await repo.head()
    current = read_text_or_none(Path(state.root) / update.change.path)
    if head != state.head and current != update.change.old_text:
        # The release commit could not be undone (its compensation says why): restoring
        # the file now would leave an uncommitted change on top of it.
        done = UndoneOperation(
            operation="restore files",
            description=f"kept {update.change.path}: it is committed in {head[:7]}",
        )
    else:
        done = undo_file_changes(Path(state.root), [update.change])
    report_undone(ctx, [done])
