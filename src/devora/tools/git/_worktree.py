"""A run's git worktree: a branch `devora/<run-id>` checked out away from the user's tree."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from devora.errors import UsageError
from devora.tools.git._errors import GitCommandError, NotAGitRepositoryError, WorktreeExistsError
from devora.tools.git._parse import split_nul
from devora.tools.git._process import COMMITTER, git_output

__all__ = [
    "Worktree",
    "commit_worktree",
    "create_worktree",
    "default_worktrees_root",
    "open_worktree",
    "remove_worktree",
]

# Local git operations; a hung git (a lock, a credential prompt) must not hang the run.
WORKTREE_GIT_TIMEOUT = 120.0
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def default_worktrees_root() -> Path:
    """Where worktrees go by default: $XDG_CACHE_HOME/devora/worktrees (outside any repo)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "devora" / "worktrees"


@dataclass(frozen=True)
class Worktree:
    """A checked-out branch for one run, and the commit it started from."""

    repository: Path
    path: Path
    branch: str
    base_commit: str
    resumed: bool = False

    async def head(self) -> str:
        """The branch's current commit."""
        return (await _git(["rev-parse", "HEAD"], self.path)).strip()

    async def patch(self) -> str:
        """The branch's committed changes against its base, as a git patch."""
        return await _git(["diff", "--binary", self.base_commit, "HEAD"], self.path)

    async def untracked_files(self) -> list[str]:
        """New files git would track (not ignored) that are not committed yet."""
        out = await _git(["ls-files", "--others", "--exclude-standard", "-z"], self.path)
        return sorted(split_nul(out))

    async def changed_files(self) -> list[str]:
        """Paths changed on the branch since its base."""
        out = await _git(["diff", "--name-only", self.base_commit, "HEAD"], self.path)
        return [line for line in out.splitlines() if line]


async def create_worktree(
    repository: Path, run_id: str, *, root: Path | None = None, base: str = "HEAD"
) -> Worktree:
    """Create branch `devora/<run_id>` from `base` in a new worktree under `root`."""
    top, branch, path = await _locate(repository, run_id, root)
    if await _branch_exists(top, branch) or path.exists():
        raise WorktreeExistsError(branch, str(path))
    return await _create(top, branch, path, base)


async def open_worktree(
    repository: Path, run_id: str, *, root: Path | None = None, base: str = "HEAD"
) -> Worktree:
    """The run's worktree: created on first use, reopened as it was when the run resumes."""
    top, branch, path = await _locate(repository, run_id, root)
    if not await _branch_exists(top, branch):
        if path.exists():
            raise WorktreeExistsError(branch, str(path))
        return await _create(top, branch, path, base)
    try:
        recorded = await _git(["config", "--get", _BASE_KEY.format(branch=branch)], top)
    except GitCommandError:
        raise WorktreeExistsError(branch, str(path)) from None  # a branch Devora did not make
    if path.exists():
        if not await _is_worktree_of(path, branch):
            raise WorktreeExistsError(branch, str(path))
    else:
        await _git(["worktree", "prune"], top)
        await _git(["worktree", "add", str(path), branch], top)
    return Worktree(top, path, branch, recorded.strip(), resumed=True)


async def commit_worktree(worktree: Worktree, message: str, new_files: Iterable[str]) -> bool:
    """Commit tracked changes plus `new_files` on the branch; False when there was nothing."""
    await _git(["add", "--update", "--", "."], worktree.path)
    wanted = sorted(set(new_files))
    if wanted:
        # Only the written files git would track: ignored ones (build output) stay out.
        listed = await _git(
            ["ls-files", "--others", "--exclude-standard", "-z", "--", *wanted], worktree.path
        )
        untracked = split_nul(listed)
        if untracked:
            await _git(["add", "--", *untracked], worktree.path)
    if await _succeeds(["diff", "--cached", "--quiet"], worktree.path):
        return False
    await _git(["commit", "--no-verify", "--quiet", "-m", message], worktree.path)
    return True


async def remove_worktree(worktree: Worktree, *, delete_branch: bool = False) -> None:
    """Remove the worktree directory (and the branch, when asked)."""
    await _git(["worktree", "remove", "--force", str(worktree.path)], worktree.repository)
    if delete_branch:
        await _git(["branch", "-D", worktree.branch], worktree.repository)


# Where the commit a run's branch started from is remembered (in the repository's config).
_BASE_KEY = "branch.{branch}.devoraBase"


async def _locate(repository: Path, run_id: str, root: Path | None) -> tuple[Path, str, Path]:
    if not _RUN_ID.match(run_id) or ".." in run_id or run_id.endswith((".lock", ".")):
        raise UsageError(
            f"run id {run_id!r} cannot name a git branch",
            hint="use letters, digits, '.', '_' and '-' only",
        )
    repository = _existing_directory(repository)
    try:
        top = Path((await _git(["rev-parse", "--show-toplevel"], repository)).strip())
    except GitCommandError as error:
        raise _not_a_repository(repository, "not a git repository") from error
    path = _prepare_parent((root or default_worktrees_root()) / f"{top.name}-{run_id}")
    return top, f"devora/{run_id}", path


async def _create(top: Path, branch: str, path: Path, base: str) -> Worktree:
    if base.startswith("-"):
        raise UsageError(f"base {base!r} is not a revision", hint="give a branch, tag or commit")
    try:
        base_commit = await _git(["rev-parse", "--verify", f"{base}^{{commit}}"], top)
    except GitCommandError as error:
        raise _not_a_repository(top, f"cannot resolve {base!r} (no commit yet?)") from error
    base_commit = base_commit.strip()
    await _git(["worktree", "add", "-b", branch, str(path), base_commit], top)
    await _git(["config", _BASE_KEY.format(branch=branch), base_commit], top)
    return Worktree(top, path, branch, base_commit)


async def _branch_exists(top: Path, branch: str) -> bool:
    return await _succeeds(["rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], top)


async def _is_worktree_of(path: Path, branch: str) -> bool:
    try:
        current = await _git(["rev-parse", "--abbrev-ref", "HEAD"], path)
        top = await _git(["rev-parse", "--show-toplevel"], path)
    except GitCommandError:
        return False
    return current.strip() == branch and Path(top.strip()) == path


def _existing_directory(path: Path) -> Path:
    resolved = path.resolve()
    if not resolved.is_dir():
        raise _not_a_repository(resolved, "no such directory")
    return resolved


def _prepare_parent(path: Path) -> Path:
    resolved = path.resolve()
    resolved.parent.mkdir(parents=True, exist_ok=True)
    return resolved


def _not_a_repository(path: Path, problem: str) -> NotAGitRepositoryError:
    return NotAGitRepositoryError(
        path,
        problem,
        message=f"cannot work on {path}: {problem}",
        hint="point the agent at the root of a git repository that has at least one commit",
    )


async def _git(args: list[str], cwd: Path) -> str:
    """The stdout of a git command of the worktree, committing as Devora."""
    return await git_output(cwd, [*COMMITTER, *args], time_limit=WORKTREE_GIT_TIMEOUT)


async def _succeeds(args: list[str], cwd: Path) -> bool:
    try:
        await _git(args, cwd)
    except GitCommandError:
        return False
    return True
