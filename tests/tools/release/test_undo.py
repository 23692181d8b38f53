"""Compensations: a release made with the real operations, then undone, on real repositories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from devora.tools.release import (
    CreatedCommit,
    CreatedTag,
    FileChange,
    GitRepository,
    PushedRelease,
    UndoRefusedError,
    open_repository,
    plan_changelog,
    plan_version_files,
    render_changelog_section,
    split_conventional,
    undo_commit,
    undo_file_changes,
    undo_push,
    undo_tag,
    write_file_changes,
)

from .helpers import GitFixture, init_bare, remote_refs

PYPROJECT = '[project]\nname = "demo"\nversion = "1.0.0"\n'


@dataclass
class Release:
    git: GitRepository
    before: str
    changes: list[FileChange]
    commit: CreatedCommit
    tag: CreatedTag


async def make_release(repo: GitFixture) -> Release:
    """What the workflow's version, changelog and tag steps do, with the real functions."""
    repo.commit("chore: project", {"pyproject.toml": PYPROJECT, "CHANGELOG.md": "# Changelog\n"})
    repo.tag("v1.0.0")
    repo.commit("feat: search")
    git = await open_repository(repo.path)
    before = await git.head()
    commits = await git.commits_since("v1.0.0")
    parsed, others = split_conventional(commits)
    section = render_changelog_section(
        "1.1.0", dt.date(2026, 11, 25), parsed, non_conventional=others
    )
    changes = [
        *plan_version_files(repo.path, ["pyproject.toml"], "1.1.0"),
        plan_changelog(repo.path, "CHANGELOG.md", section),
    ]
    write_file_changes(repo.path, changes)
    commit = await git.commit_files(["pyproject.toml", "CHANGELOG.md"], "bump: version 1.1.0")
    tag = await git.create_tag("v1.1.0", "Release 1.1.0")
    return Release(git, before, changes, commit, tag)


@pytest.fixture
def remote(repo: GitFixture, tmp_path: Path) -> Path:
    bare = init_bare(tmp_path / "remote.git")
    repo.add_remote("origin", bare)
    return bare


async def test_unpushed_release_is_undone_completely(repo: GitFixture) -> None:
    release = await make_release(repo)
    # Reverse completion order, as the saga runs them.
    undone = [
        await undo_tag(release.git, release.tag),
        await undo_commit(release.git, release.commit),
        undo_file_changes(release.git.root, release.changes),
    ]
    assert [u.operation for u in undone] == [
        "delete local tag",
        "reset release commit",
        "restore files",
    ]
    assert undone[2].description == "no file to restore"  # the reset already did it
    assert undone[1].description.startswith(f"reset main from {release.commit.hash[:7]}")
    assert repo.head() == release.before
    assert repo.tags() == ["v1.0.0"]
    assert repo.git("status", "--porcelain") == ""
    assert (repo.path / "pyproject.toml").read_text() == PYPROJECT
    # Idempotent: running the compensations again (a resumed rollback) changes nothing.
    again = [
        await undo_tag(release.git, release.tag),
        await undo_commit(release.git, release.commit),
    ]
    assert "already absent" in again[0].description
    assert "already gone" in again[1].description
    assert repo.head() == release.before


async def test_pushed_release_is_reverted_and_its_remote_tag_deleted(
    repo: GitFixture, remote: Path
) -> None:
    release = await make_release(repo)
    repo.git("push", "--quiet", "origin", f"{release.before}:refs/heads/main")
    pushed = await release.git.push("origin", "main", "v1.1.0")
    assert remote_refs(remote)["refs/heads/main"] == release.commit.hash

    undone = await undo_push(release.git, pushed)
    assert [u.operation for u in undone] == ["delete remote tag", "revert pushed commit"]
    refs = remote_refs(remote)
    assert "refs/tags/v1.1.0" not in refs
    revert = refs["refs/heads/main"]
    assert repo.git("rev-parse", f"{revert}^").strip() == release.commit.hash
    # The reverted tree is the tree from before the release.
    assert repo.git("rev-parse", f"{revert}^{{tree}}") == repo.git(
        "rev-parse", f"{release.before}^{{tree}}"
    )
    # Then the tag step's compensations: the local tag goes, the pushed commit stays.
    assert "deleted tag v1.1.0" in (await undo_tag(release.git, release.tag)).description
    kept = await undo_commit(release.git, release.commit)
    assert kept.description.startswith(f"kept {release.commit.hash[:7]}")
    assert repo.head() == revert
    # Idempotent.
    again = await undo_push(release.git, pushed)
    assert "already absent" in again[0].description
    assert "already reverted" in again[1].description
    assert remote_refs(remote)["refs/heads/main"] == revert


async def test_revert_made_but_not_pushed_is_pushed_on_retry(
    repo: GitFixture, remote: Path
) -> None:
    release = await make_release(repo)
    pushed = await release.git.push("origin", "main", "v1.1.0")
    await release.git.revert_commit(release.commit.hash)  # an earlier attempt died here
    undone = await undo_push(release.git, pushed)
    assert remote_refs(remote)["refs/heads/main"] == repo.head()
    assert "reverting" in undone[-1].description
    assert len(repo.git("log", "--format=%H", f"{release.commit.hash}..HEAD").split()) == 1


async def test_push_undo_refuses_when_others_pushed_since(
    repo: GitFixture, remote: Path, tmp_path: Path
) -> None:
    release = await make_release(repo)
    pushed = await release.git.push("origin", "main", "v1.1.0")
    other = GitFixture(tmp_path / "other")
    repo.git("clone", "--quiet", "--branch", "main", str(remote), str(other.path))
    other.git("config", "user.name", "Other")
    other.git("config", "user.email", "other@devora.invalid")
    other.commit("fix: someone else's work")
    other.git("push", "--quiet", "origin", "main")
    before = remote_refs(remote)
    with pytest.raises(
        UndoRefusedError, match=r"origin/main is now at \w+, not the release commit"
    ) as caught:
        await undo_push(release.git, pushed)
    assert "revert the release commit by hand" in (caught.value.hint or "")
    assert remote_refs(remote) == before  # the tag was not deleted either


async def test_commit_undo_refuses_to_drop_later_commits(repo: GitFixture) -> None:
    release = await make_release(repo)
    later = repo.commit("fix: work after the release")
    with pytest.raises(UndoRefusedError, match="HEAD has moved on"):
        await undo_commit(release.git, release.commit)
    assert repo.head() == later


async def test_commit_undo_refuses_to_discard_uncommitted_changes(repo: GitFixture) -> None:
    release = await make_release(repo)
    repo.write("pyproject.toml", "edited by hand\n")
    with pytest.raises(UndoRefusedError, match=r"uncommitted changes in pyproject\.toml"):
        await undo_commit(release.git, release.commit)
    assert (repo.path / "pyproject.toml").read_text() == "edited by hand\n"
    assert repo.head() == release.commit.hash


async def test_tag_undo_refuses_a_tag_that_was_moved(repo: GitFixture) -> None:
    release = await make_release(repo)
    repo.git("tag", "--force", "-a", "-m", "moved", "v1.1.0", release.before)
    with pytest.raises(UndoRefusedError, match="now marks"):
        await undo_tag(release.git, release.tag)
    assert "v1.1.0" in repo.tags()


async def test_records_survive_a_journal_round_trip(repo: GitFixture, remote: Path) -> None:
    release = await make_release(repo)
    pushed = await release.git.push("origin", "main", "v1.1.0")
    # The workflow journals these as JSON and hands them back to another process.
    restored = PushedRelease.model_validate_json(pushed.model_dump_json())
    tag = CreatedTag.model_validate_json(release.tag.model_dump_json())
    commit = CreatedCommit.model_validate_json(release.commit.model_dump_json())
    assert (restored, tag, commit) == (pushed, release.tag, release.commit)
    await undo_push(await open_repository(repo.path), restored)
    assert "refs/tags/v1.1.0" not in remote_refs(remote)
