"""Worktrees on `devora/<run-id>`: made from the repository, committed, never the user's tree."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devora.agents import commit_worktree, create_worktree, open_worktree, remove_worktree
from devora.errors import UsageError
from devora.tools.git import NotAGitRepositoryError, WorktreeExistsError

from .gitrepo import CALC, git, make_repo


async def test_create_commit_and_patch(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    base = git(repo, "rev-parse", "HEAD").strip()
    worktree = await create_worktree(repo, "run-1", root=tmp_path / "wt")
    assert worktree.branch == "devora/run-1"
    assert worktree.path == (tmp_path / "wt" / "repo-run-1").resolve()
    assert worktree.base_commit == base
    assert (worktree.path / "calc.py").read_text() == CALC

    (worktree.path / "calc.py").write_text("changed\n")
    (worktree.path / "new.py").write_text("new\n")
    (worktree.path / "stray.txt").write_text("not written by the agent\n")
    (worktree.path / "__pycache__").mkdir()
    (worktree.path / "__pycache__" / "ignored.pyc").write_text("x")
    assert await commit_worktree(worktree, "agent work", ["new.py", "__pycache__/ignored.pyc"])
    assert sorted(await worktree.changed_files()) == ["calc.py", "new.py"]
    patch = await worktree.patch()
    assert "+changed" in patch and "+new" in patch and "stray" not in patch
    assert await worktree.head() != base
    assert not await commit_worktree(worktree, "nothing", [])

    # The user's checkout is where it was: same branch, same commit, same files.
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert git(repo, "rev-parse", "HEAD").strip() == base
    assert git(repo, "status", "--porcelain") == ""
    assert "devora/run-1" in git(repo, "branch", "--list", "devora/*")

    await remove_worktree(worktree, delete_branch=True)
    assert not worktree.path.exists()
    assert git(repo, "branch", "--list", "devora/*") == ""


async def test_the_same_run_twice_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    await create_worktree(repo, "r1", root=tmp_path / "wt")
    with pytest.raises(WorktreeExistsError, match="devora/r1") as caught:
        await create_worktree(repo, "r1", root=tmp_path / "wt")
    assert caught.value.hint is not None and "git worktree remove" in caught.value.hint


async def test_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(NotAGitRepositoryError, match="not a git repository"):
        await create_worktree(tmp_path / "plain", "r1", root=tmp_path / "wt")
    with pytest.raises(NotAGitRepositoryError, match="no such directory"):
        await create_worktree(tmp_path / "missing", "r1", root=tmp_path / "wt")


async def test_repository_without_commits(tmp_path: Path) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    git(repo, "init", "-q")
    with pytest.raises(NotAGitRepositoryError, match="no commit yet"):
        await create_worktree(repo, "r1", root=tmp_path / "wt")


@pytest.mark.parametrize("run_id", ["../x", "a b", "-rf", "x..y", "", "a.lock"])
async def test_run_id_must_name_a_branch(tmp_path: Path, run_id: str) -> None:
    repo = make_repo(tmp_path / "repo")
    with pytest.raises(UsageError, match="cannot name a git branch"):
        await create_worktree(repo, run_id, root=tmp_path / "wt")


async def test_open_worktree_reopens_a_run_as_it_was(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    first = await open_worktree(repo, "r1", root=tmp_path / "wt")
    assert not first.resumed
    (first.path / "draft.py").write_text("half done\n")
    git(repo, "commit", "-q", "--allow-empty", "-m", "the user moves on")

    again = await open_worktree(repo, "r1", root=tmp_path / "wt")
    assert again.resumed and again.path == first.path
    assert again.base_commit == first.base_commit  # not the user's new HEAD
    assert await again.untracked_files() == ["draft.py"]


async def test_open_worktree_re_adds_a_removed_directory(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    first = await open_worktree(repo, "r1", root=tmp_path / "wt")
    (first.path / "calc.py").write_text("committed work\n")
    assert await commit_worktree(first, "work", [])
    shutil.rmtree(first.path)
    again = await open_worktree(repo, "r1", root=tmp_path / "wt")
    assert (again.path / "calc.py").read_text() == "committed work\n"
    assert again.base_commit == first.base_commit


async def test_open_worktree_will_not_adopt_a_foreign_branch_or_directory(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    git(repo, "branch", "devora/mine")  # made by the user, not by Devora
    with pytest.raises(WorktreeExistsError):
        await open_worktree(repo, "mine", root=tmp_path / "wt")
    (tmp_path / "wt" / "repo-other").mkdir(parents=True)
    with pytest.raises(WorktreeExistsError):
        await open_worktree(repo, "other", root=tmp_path / "wt")


async def test_a_base_that_looks_like_an_option_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    with pytest.raises(UsageError, match="is not a revision"):
        await create_worktree(repo, "r1", root=tmp_path / "wt", base="--output=/tmp/x")
