"""Running git: time limits, cancellation and a missing git, with no process left behind."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from devora.errors import ToolNotInstalledError
from devora.tools.git import GitCommandError, GitTimeoutError, run_git
from devora.tools.release import open_repository

from .helpers import GitFixture, init_bare, init_repo


def slow_remote(repo: GitFixture, path: Path, pid_file: Path) -> None:
    """A remote whose pre-receive hook records its PID and then hangs."""
    remote = init_bare(path)
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\necho $$ > '{pid_file}'\nexec sleep 60\n", encoding="utf-8")
    hook.chmod(0o755)
    repo.add_remote("origin", remote)


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers signal 0; it is dead for our purpose.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def alive(pid: int) -> bool:
    """Whether the process is still running 2 s later (a SIGKILL takes a moment to land)."""
    deadline = time.monotonic() + 2
    while running(pid):
        if time.monotonic() > deadline:
            return True
        time.sleep(0.02)
    return False


async def wait_for_file(path: Path) -> int:
    for _ in range(200):
        if path.exists() and path.read_text().strip():
            return int(path.read_text())
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


async def test_a_hanging_git_and_its_hook_are_killed_at_the_time_limit(
    repo: GitFixture, tmp_path: Path
) -> None:
    pid_file = tmp_path / "hook.pid"
    slow_remote(repo, tmp_path / "slow.git", pid_file)
    repo.commit("feat: a")
    git = await open_repository(repo.path, time_limit=1.0)
    started = time.monotonic()
    with pytest.raises(GitTimeoutError) as caught:
        await git.push_branch("origin", "main")
    assert time.monotonic() - started < 10
    assert caught.value.timeout == 1.0
    assert "did not finish within 1s" in caught.value.message
    assert not alive(int(pid_file.read_text()))


async def test_cancelling_kills_git_and_its_children(repo: GitFixture, tmp_path: Path) -> None:
    pid_file = tmp_path / "hook.pid"
    slow_remote(repo, tmp_path / "slow.git", pid_file)
    repo.commit("feat: a")
    git = await open_repository(repo.path)
    task = asyncio.create_task(git.push_branch("origin", "main"))
    hook_pid = await wait_for_file(pid_file)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not alive(hook_pid)


async def test_git_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolNotInstalledError) as caught:
        await run_git(tmp_path, ["--version"])
    assert caught.value.tool == "git"
    assert "apt-get install git" in (caught.value.hint or "")


async def test_failure_names_the_command_and_git_s_own_reason(tmp_path: Path) -> None:
    with pytest.raises(GitCommandError) as caught:
        await run_git(tmp_path, ["rev-parse", "HEAD"])
    error = caught.value
    assert error.argv == ["git", "rev-parse", "HEAD"]
    assert error.returncode != 0
    assert error.detail.startswith("fatal: not a git repository")
    assert f"in {tmp_path}: fatal: not a git repository" in error.message


async def test_check_false_returns_the_result(tmp_path: Path) -> None:
    result = await run_git(tmp_path, ["rev-parse", "HEAD"], check=False)
    assert result.returncode != 0
    assert "not a git repository" in result.stderr


async def test_a_calling_hook_s_repository_variables_do_not_redirect_git(
    repo: GitFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As when Devora runs from another repository's git hook.
    other = init_repo(tmp_path / "other")
    other.commit("feat: the other repository")
    mine = repo.commit("feat: mine")
    monkeypatch.setenv("GIT_DIR", str(other.path / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other.path / ".git" / "index"))
    git = await open_repository(repo.path)
    assert git.root == repo.path.resolve()
    assert await git.head() == mine
