"""The git porcelain against real repositories, bare remotes and a remote that refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from devora.tools.git import GitCommandError, NotAGitRepositoryError
from devora.tools.release import (
    DirtyWorkingTreeError,
    InvalidReleaseTagError,
    PushRejectedError,
    RemoteUnavailableError,
    ShallowRepositoryError,
    WrongBranchError,
    open_repository,
)

from .helpers import GitFixture, init_bare, make_rejecting_remote, remote_refs

# -- opening -----------------------------------------------------------------------------


async def test_open_from_a_subdirectory_finds_the_root(repo: GitFixture) -> None:
    (repo.path / "src" / "pkg").mkdir(parents=True)
    git = await open_repository(repo.path / "src" / "pkg")
    assert git.root == repo.path.resolve()


async def test_not_a_repository_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(NotAGitRepositoryError) as caught:
        await open_repository(tmp_path)
    assert caught.value.message == f"not a git repository: {tmp_path}"
    assert "git init" in (caught.value.hint or "")


async def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(NotAGitRepositoryError, match="no such directory"):
        await open_repository(tmp_path / "nope")


async def test_bare_repository_has_no_working_tree(tmp_path: Path) -> None:
    with pytest.raises(NotAGitRepositoryError, match="bare repository"):
        await open_repository(init_bare(tmp_path / "remote.git"))


# -- reading -----------------------------------------------------------------------------


async def test_dirty_paths_lists_every_kind_of_change(repo: GitFixture) -> None:
    repo.commit("feat: files", {"a.txt": "a", "b.txt": "b", "c.txt": "c", "d e.txt": "d"})
    git = await open_repository(repo.path)
    assert await git.dirty_paths() == []
    await git.ensure_clean()
    repo.write("a.txt", "changed")
    repo.write("new dir/untracked\nname.txt", "u")
    repo.write("staged.txt", "s")
    repo.git("add", "staged.txt")
    repo.git("mv", "b.txt", "renamed.txt")
    (repo.path / "c.txt").unlink()
    repo.write("d e.txt", "spaces")
    dirty = await git.dirty_paths()
    assert sorted(dirty) == sorted(
        ["a.txt", "new dir/untracked\nname.txt", "staged.txt", "renamed.txt", "c.txt", "d e.txt"]
    )
    assert "new dir/untracked\nname.txt" not in await git.dirty_paths(include_untracked=False)
    with pytest.raises(DirtyWorkingTreeError) as caught:
        await git.ensure_clean()
    assert "a.txt" in caught.value.message
    assert caught.value.dirty_paths == dirty


async def test_current_branch_and_detached_head(repo: GitFixture) -> None:
    first = repo.commit("feat: a")
    repo.commit("fix: b")
    git = await open_repository(repo.path)
    assert await git.current_branch() == "main"
    await git.ensure_branch("main")
    with pytest.raises(WrongBranchError, match=r"from branch 'release', but .* on branch 'main'"):
        await git.ensure_branch("release")
    repo.git("checkout", "--quiet", first)
    assert await git.current_branch() is None
    with pytest.raises(WrongBranchError, match="detached HEAD") as caught:
        await git.ensure_branch("main")
    assert caught.value.hint == "git switch main, or configure the release branch"


async def test_last_release_tag_is_the_highest_reachable_version(repo: GitFixture) -> None:
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    repo.commit("feat: b")
    repo.tag("v1.10.0", annotated=False)
    second = repo.head()
    repo.commit("fix: c")
    repo.tag("v1.9.0")  # newer, lower
    repo.tag("not-a-release")
    repo.git("checkout", "--quiet", "-b", "other", "HEAD~2")
    repo.commit("feat: elsewhere")
    repo.tag("v5.0.0")  # not reachable from main
    repo.git("checkout", "--quiet", "main")
    git = await open_repository(repo.path)
    last = await git.last_release_tag("v{version}")
    assert last is not None
    assert (last.name, last.version, last.commit) == ("v1.10.0", "1.10.0", second)


async def test_no_release_tag_yet(repo: GitFixture) -> None:
    git = await open_repository(repo.path)
    assert await git.last_release_tag("v{version}") is None  # no commit at all
    repo.commit("feat: a")
    repo.tag("latest")
    assert await git.last_release_tag("v{version}") is None


async def test_tag_that_is_not_a_version_is_an_error(repo: GitFixture) -> None:
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    repo.tag("v1.1")
    git = await open_repository(repo.path)
    with pytest.raises(InvalidReleaseTagError) as caught:
        await git.last_release_tag("v{version}")
    assert caught.value.tag == "v1.1"


async def test_commits_since_a_ref_with_hash_subject_and_body(repo: GitFixture) -> None:
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    message = (
        "fix(api): handle\ttabs and ünïcode\n\n"
        "Body paragraph one.\n\n"
        "Body paragraph two with a NUL-free % sign and %x00 literal.\n\n"
        "BREAKING CHANGE: ids are strings"
    )
    fix = repo.commit(message)
    chore = repo.commit("chore: tidy")
    git = await open_repository(repo.path)
    commits = await git.commits_since("v1.0.0")
    assert [c.hash for c in commits] == [chore, fix]
    assert commits[1].subject == "fix(api): handle\ttabs and ünïcode"
    assert commits[1].body == message.split("\n\n", 1)[1]
    assert commits[0].body == ""
    assert len(commits[0].parents) == 1
    assert len(await git.commits_since(None)) == 3
    assert await git.commits_since("HEAD") == []


async def test_commits_since_in_an_empty_repository(repo: GitFixture) -> None:
    git = await open_repository(repo.path)
    assert await git.commits_since(None) == []
    assert not await git.has_commits()


async def test_unknown_ref_is_a_git_error(repo: GitFixture) -> None:
    repo.commit("feat: a")
    git = await open_repository(repo.path)
    with pytest.raises(GitCommandError) as caught:
        await git.commits_since("v9.9.9")
    assert caught.value.argv[:2] == ["git", "log"]
    assert "v9.9.9" in caught.value.stderr


# -- changing ----------------------------------------------------------------------------


async def test_create_annotated_tag_and_delete_it(repo: GitFixture) -> None:
    head = repo.commit("feat: a")
    git = await open_repository(repo.path)
    created = await git.create_tag("v1.0.0", "Release 1.0.0")
    assert created.target == head
    assert repo.git("cat-file", "-t", "v1.0.0").strip() == "tag"
    assert (
        repo.git("tag", "-l", "--format=%(contents:subject)", "v1.0.0").strip() == "Release 1.0.0"
    )
    with pytest.raises(GitCommandError, match="already exists"):
        await git.create_tag("v1.0.0", "again")
    assert await git.delete_tag("v1.0.0")
    assert repo.tags() == []
    assert not await git.delete_tag("v1.0.0")


async def test_commit_files_commits_only_those_files(repo: GitFixture) -> None:
    parent = repo.commit("feat: a", {"pyproject.toml": "x", "other.txt": "o"})
    repo.write("pyproject.toml", "y")
    repo.write("CHANGELOG.md", "# Changelog\n")
    repo.write("other.txt", "staged but not part of the release")
    repo.git("add", "other.txt")
    git = await open_repository(repo.path)
    created = await git.commit_files(["pyproject.toml", "CHANGELOG.md"], "bump: version 1.1.0")
    assert created.parent == parent
    assert created.branch == "main"
    assert created.hash == repo.head()
    files = repo.git("show", "--name-only", "--format=", "HEAD").split()
    assert sorted(files) == ["CHANGELOG.md", "pyproject.toml"]
    assert repo.git("log", "-1", "--format=%s").strip() == "bump: version 1.1.0"
    assert await git.dirty_paths() == ["other.txt"]


async def test_commit_without_an_identity_says_how_to_set_one(repo: GitFixture) -> None:
    repo.commit("feat: a")
    repo.git("config", "--unset", "user.name")
    repo.git("config", "--unset", "user.email")
    repo.git("config", "user.useConfigOnly", "true")
    repo.write("f.txt", "x")
    git = await open_repository(repo.path)
    with pytest.raises(GitCommandError) as caught:
        await git.commit_files(["f.txt"], "fix: x")
    assert "git config user.name" in (caught.value.hint or "")


async def test_push_branch_and_tag_to_a_bare_remote(repo: GitFixture, tmp_path: Path) -> None:
    remote = init_bare(tmp_path / "remote.git")
    repo.add_remote("origin", remote)
    first = repo.commit("feat: a")
    repo.git("push", "--quiet", "origin", "main")
    second = repo.commit("fix: b")
    repo.tag("v1.0.1")
    git = await open_repository(repo.path)
    pushed = await git.push("origin", "main", "v1.0.1")
    assert (pushed.commit, pushed.previous_remote_commit) == (second, first)
    refs = remote_refs(remote)
    assert refs["refs/heads/main"] == second
    assert "refs/tags/v1.0.1" in refs
    assert await git.remote_ref("origin", "refs/tags/v1.0.1") == second
    assert await git.delete_remote_tag("origin", "v1.0.1")
    assert "refs/tags/v1.0.1" not in remote_refs(remote)
    assert not await git.delete_remote_tag("origin", "v1.0.1")


async def test_rejected_push_is_a_clear_error_and_pushes_nothing(
    repo: GitFixture, tmp_path: Path
) -> None:
    remote = make_rejecting_remote(tmp_path / "frozen.git")
    repo.add_remote("origin", remote)
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    git = await open_repository(repo.path)
    with pytest.raises(PushRejectedError) as caught:
        await git.push("origin", "main", "v1.0.0")
    error = caught.value
    assert error.remote == "origin"
    assert error.refs == ["refs/heads/main", "refs/tags/v1.0.0"]
    assert "rejected the push" in error.message
    assert "pre-receive hook declined" in error.message
    assert "releases are frozen" in error.stderr
    assert remote_refs(remote) == {}


async def test_push_to_a_missing_remote(repo: GitFixture, tmp_path: Path) -> None:
    repo.add_remote("origin", tmp_path / "missing.git")
    repo.commit("feat: a")
    git = await open_repository(repo.path)
    with pytest.raises(RemoteUnavailableError) as caught:
        await git.push("origin", "main")
    assert caught.value.message == (
        "cannot reach remote 'origin': fatal: "
        f"'{tmp_path / 'missing.git'}' does not appear to be a git repository"
    )
    assert "git remote get-url origin" in (caught.value.hint or "")


async def test_revert_and_reset(repo: GitFixture) -> None:
    base = repo.commit("feat: a", {"f.txt": "one"})
    change = repo.commit("fix: b", {"f.txt": "two"})
    git = await open_repository(repo.path)
    revert = await git.revert_commit(change)
    assert (repo.path / "f.txt").read_text() == "one"
    assert repo.git("rev-parse", f"{revert}^").strip() == change
    await git.reset_to(base)
    assert repo.head() == base
    assert (repo.path / "f.txt").read_text() == "one"


async def test_conflicting_revert_is_aborted(repo: GitFixture) -> None:
    repo.commit("feat: a", {"f.txt": "one"})
    change = repo.commit("fix: b", {"f.txt": "two"})
    repo.commit("fix: c", {"f.txt": "three"})
    head = repo.head()
    git = await open_repository(repo.path)
    with pytest.raises(GitCommandError, match="conflict"):
        await git.revert_commit(change)
    assert repo.head() == head
    assert await git.dirty_paths() == []


async def test_push_of_a_branch_that_is_behind_is_rejected(
    repo: GitFixture, tmp_path: Path
) -> None:
    remote = init_bare(tmp_path / "remote.git")
    repo.add_remote("origin", remote)
    base = repo.commit("feat: a")
    repo.commit("fix: pushed by someone else")
    repo.git("push", "--quiet", "origin", "main")
    theirs = repo.head()
    repo.git("reset", "--quiet", "--hard", base)
    repo.commit("fix: ours")
    repo.tag("v1.0.1")
    git = await open_repository(repo.path)
    with pytest.raises(PushRejectedError, match=r"\[rejected\].*non-fast-forward|fetch first"):
        await git.push("origin", "main", "v1.0.1")
    assert remote_refs(remote) == {"refs/heads/main": theirs}  # atomic: no tag either


async def test_shallow_clone_without_tags_is_not_a_first_release(
    repo: GitFixture, tmp_path: Path
) -> None:
    repo.commit("feat: a")
    repo.tag("v1.0.0")
    repo.commit("fix: b")
    repo.commit("fix: c")
    clone = tmp_path / "shallow"
    repo.git("clone", "--quiet", "--depth", "1", "--no-tags", f"file://{repo.path}", str(clone))
    git = await open_repository(clone)
    assert await git.is_shallow()
    with pytest.raises(ShallowRepositoryError) as caught:
        await git.last_release_tag("v{version}")
    assert "git fetch --unshallow --tags" in (caught.value.hint or "")


async def test_nothing_to_commit_says_so(repo: GitFixture) -> None:
    repo.commit("feat: a", {"f.txt": "same"})
    git = await open_repository(repo.path)
    with pytest.raises(GitCommandError, match=r"nothing to commit|no changes added"):
        await git.commit_files(["f.txt"], "bump: version 1.0.1")
