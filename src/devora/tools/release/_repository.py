"""A small async git porcelain for releases: read the state, change it, record the change."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from devora.tools.git import (
    DEFAULT_GIT_TIMEOUT,
    GitCommandError,
    GitResult,
    NotAGitRepositoryError,
    parse_status_paths,
    run_git,
)
from devora.tools.release._commits import LOG_FORMAT, Commit, parse_log
from devora.tools.release._errors import (
    DirtyWorkingTreeError,
    PushRejectedError,
    RemoteUnavailableError,
    ShallowRepositoryError,
    WrongBranchError,
)
from devora.tools.release._records import CreatedCommit, CreatedTag, PushedRelease
from devora.tools.release._tag_format import TagFormat
from devora.tools.release._version import Version

__all__ = ["GitRepository", "ReleaseTag", "open_repository", "revert_marker"]

ResetMode = Literal["hard", "mixed", "soft", "keep"]

_IDENTITY_HINT = (
    "set an identity for this repository: git config user.name 'Your Name' && "
    "git config user.email you@example.com"
)


def revert_marker(commit: str) -> str:
    """The line a revert commit's message carries, naming the commit it reverts."""
    return f"This reverts commit {commit}."


class ReleaseTag(BaseModel):
    """A tag that marks a release: its name, the version it holds and the commit it marks."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str
    commit: str


async def open_repository(
    path: Path | str, *, time_limit: float = DEFAULT_GIT_TIMEOUT
) -> GitRepository:
    """Open the git working tree containing path; NotAGitRepositoryError otherwise."""
    start = Path(path)
    try:
        result = await run_git(
            start, ["rev-parse", "--show-toplevel"], time_limit=time_limit, check=False
        )
    except NotADirectoryError as error:
        raise NotAGitRepositoryError(start, "no such directory") from error
    if result.returncode != 0:
        stderr = result.stderr.strip()
        if "work tree" in stderr:
            raise NotAGitRepositoryError(start, "a bare repository has no working tree")
        if "not a git repository" in stderr:
            raise NotAGitRepositoryError(start)
        # Something else stops git here, such as a repository owned by another user
        # ("dubious ownership"): say what git says.
        raise GitCommandError(result.argv, result.returncode, stderr, cwd=start)
    return GitRepository(Path(result.stdout.strip()), time_limit=time_limit)


class GitRepository:
    """A git working tree; every command runs as ``git`` with an argv list and a timeout."""

    def __init__(self, root: Path, *, time_limit: float = DEFAULT_GIT_TIMEOUT) -> None:
        self.root = root
        self.time_limit = time_limit

    def __repr__(self) -> str:
        return f"GitRepository({str(self.root)!r})"

    async def git(self, *args: str, check: bool = True) -> GitResult:
        """Run one git command in the repository, within the repository's time limit."""
        try:
            return await run_git(self.root, args, time_limit=self.time_limit, check=check)
        except GitCommandError as error:
            if "tell me who you are" in error.stderr or "user.email" in error.stderr:
                raise GitCommandError(
                    error.argv, error.returncode, error.stderr, cwd=self.root, hint=_IDENTITY_HINT
                ) from error
            raise

    # -- reading ---------------------------------------------------------------------------

    async def has_commits(self) -> bool:
        """False in a freshly initialised repository."""
        result = await self.git("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
        return result.returncode == 0

    async def resolve(self, ref: str) -> str:
        """The full hash of the commit a ref points to."""
        result = await self.git("rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")
        return result.stdout.strip()

    async def head(self) -> str:
        """The full hash of HEAD."""
        return await self.resolve("HEAD")

    async def commit(self, ref: str) -> Commit:
        """One commit, read by ref."""
        result = await self.git("log", "-z", "-n", "1", f"--format={LOG_FORMAT}", ref, "--")
        return parse_log(result.stdout)[0]

    async def dirty_paths(self, *, include_untracked: bool = True) -> list[str]:
        """Paths with uncommitted changes, as ``git status --porcelain=v1 -z`` lists them."""
        untracked = "--untracked-files=all" if include_untracked else "--untracked-files=no"
        result = await self.git("status", "--porcelain=v1", "-z", untracked)
        return parse_status_paths(result.stdout)

    async def ensure_clean(self, *, include_untracked: bool = True) -> None:
        """Raise DirtyWorkingTreeError naming the dirty paths, if there are any."""
        dirty = await self.dirty_paths(include_untracked=include_untracked)
        if dirty:
            raise DirtyWorkingTreeError(self.root, dirty)

    async def is_shallow(self) -> bool:
        """True for a shallow clone (``git clone --depth N``)."""
        result = await self.git("rev-parse", "--is-shallow-repository")
        return result.stdout.strip() == "true"

    async def current_branch(self) -> str | None:
        """The checked-out branch; None when HEAD is detached."""
        result = await self.git("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
        return result.stdout.strip() if result.returncode == 0 else None

    async def ensure_branch(self, expected: str) -> None:
        """Raise WrongBranchError unless the expected branch is checked out."""
        actual = await self.current_branch()
        if actual != expected:
            raise WrongBranchError(self.root, expected, actual)

    async def tags(self, *, merged_into: str | None = "HEAD") -> list[str]:
        """Tag names, by default only those reachable from HEAD."""
        if merged_into is not None and not await self.has_commits():
            return []
        args = ["for-each-ref", "--format=%(refname:strip=2)", "refs/tags"]
        if merged_into is not None:
            args.insert(1, f"--merged={merged_into}")
        result = await self.git(*args)
        return result.stdout.splitlines()

    async def tag_target(self, name: str) -> str | None:
        """The commit a local tag points to; None when there is no such tag."""
        result = await self.git(
            "rev-parse", "--verify", "--quiet", f"refs/tags/{name}^{{commit}}", check=False
        )
        return result.stdout.strip() if result.returncode == 0 else None

    async def last_release_tag(self, tag_format: TagFormat | str) -> ReleaseTag | None:
        """The highest-version release tag reachable from HEAD; None before the first release.

        A tag shaped like a release tag that does not hold a valid version raises
        InvalidReleaseTagError naming it, rather than being skipped. A shallow clone with no
        release tag raises ShallowRepositoryError: its tags may just not have been fetched.
        """
        fmt = tag_format if isinstance(tag_format, TagFormat) else TagFormat(tag_format)
        best: tuple[Version, str] | None = None
        for name in await self.tags():
            version = fmt.parse(name)
            if version is not None and (best is None or version > best[0]):
                best = (version, name)
        if best is None:
            if await self.has_commits() and await self.is_shallow():
                raise ShallowRepositoryError(self.root)
            return None
        version, name = best
        commit = await self.tag_target(name)
        assert commit is not None
        return ReleaseTag(name=name, version=str(version), commit=commit)

    async def commits_since(self, ref: str | None) -> list[Commit]:
        """Commits reachable from HEAD but not from ref (all of them if ref is None), newest
        first."""
        if not await self.has_commits():
            return []
        revision = f"{ref}..HEAD" if ref is not None else "HEAD"
        result = await self.git("log", "-z", f"--format={LOG_FORMAT}", revision, "--")
        return parse_log(result.stdout)

    async def remote_ref(self, remote: str, ref: str) -> str | None:
        """The hash a ref has on a remote (peeled for annotated tags); None if absent."""
        result = await self.git(
            "ls-remote", "--end-of-options", remote, ref, f"{ref}^{{}}", check=False
        )
        if result.returncode != 0:
            raise RemoteUnavailableError(
                remote, result.argv, result.returncode, result.stderr, cwd=self.root
            )
        found: dict[str, str] = {}
        for line in result.stdout.splitlines():
            sha, _, name = line.partition("\t")
            found[name] = sha
        return found.get(f"{ref}^{{}}") or found.get(ref)

    # -- changing (each returns a record its undo takes) ----------------------------------

    async def create_tag(self, name: str, message: str, *, target: str = "HEAD") -> CreatedTag:
        """Create an annotated tag; refuses to move an existing one."""
        commit = await self.resolve(target)
        await self.git("tag", "--annotate", "--message", message, "--end-of-options", name, commit)
        return CreatedTag(name=name, target=commit, message=message)

    async def delete_tag(self, name: str) -> bool:
        """Delete a local tag; False when it did not exist."""
        if await self.tag_target(name) is None:
            return False
        await self.git("tag", "--delete", "--end-of-options", name)
        return True

    async def commit_files(
        self, paths: Sequence[str], message: str, *, no_verify: bool = False
    ) -> CreatedCommit:
        """Commit exactly these paths (other staged changes stay out of the commit)."""
        parent = await self.head()
        branch = await self.current_branch()
        await self.git("add", "--", *paths)
        args = ["commit", "--quiet", "--message", message]
        if no_verify:
            args.append("--no-verify")
        await self.git(*args, "--", *paths)
        return CreatedCommit(
            hash=await self.head(),
            parent=parent,
            branch=branch,
            paths=tuple(paths),
            message=message,
        )

    async def push(self, remote: str, branch: str, tag: str | None = None) -> PushedRelease:
        """Push a branch and a tag atomically: both arrive or neither does."""
        previous = await self.remote_ref(remote, f"refs/heads/{branch}")
        commit = await self.resolve(f"refs/heads/{branch}")
        refspecs = [f"refs/heads/{branch}:refs/heads/{branch}"]
        if tag is not None:
            refspecs.append(f"refs/tags/{tag}:refs/tags/{tag}")
        await self._push(remote, refspecs, atomic=True)
        return PushedRelease(
            remote=remote,
            branch=branch,
            tag=tag,
            commit=commit,
            previous_remote_commit=previous,
        )

    async def push_branch(self, remote: str, branch: str) -> None:
        """Push one branch (fast-forward only)."""
        await self._push(remote, [f"refs/heads/{branch}:refs/heads/{branch}"])

    async def delete_remote_tag(self, remote: str, tag: str) -> bool:
        """Delete a tag on a remote; False when the remote did not have it."""
        if await self.remote_ref(remote, f"refs/tags/{tag}") is None:
            return False
        await self._push(remote, [f":refs/tags/{tag}"])
        return True

    async def revert_commit(self, commit: str) -> str:
        """Commit the inverse of a commit on the current branch; return the new hash.

        The message always ends with git's "This reverts commit <full hash>." line, whatever
        the user's revert settings, so that an undo can recognise its own revert.
        """
        reverted = await self.commit(commit)
        result = await self.git(
            "revert", "--no-commit", "--end-of-options", reverted.hash, check=False
        )
        if result.returncode != 0:
            await self.git("revert", "--abort", check=False)
            raise GitCommandError(
                result.argv,
                result.returncode,
                result.stderr or result.stdout,
                cwd=self.root,
                hint="the revert conflicts with later changes; revert it by hand",
            )
        message = f'Revert "{reverted.subject}"\n\n{revert_marker(reverted.hash)}'
        await self.git("commit", "--quiet", "--no-verify", "--message", message)
        return await self.head()

    async def reset_to(self, ref: str, *, mode: ResetMode = "hard") -> None:
        """Move the current branch to ref (``git reset --hard`` by default)."""
        await self.git("reset", "--quiet", f"--{mode}", await self.resolve(ref))

    async def _push(self, remote: str, refspecs: Sequence[str], *, atomic: bool = False) -> None:
        args = ["push", "--porcelain"]
        if atomic:
            args.append("--atomic")
        result = await self.git(*args, "--end-of-options", remote, *refspecs, check=False)
        if result.returncode != 0:
            raise PushRejectedError(
                remote,
                [spec.rpartition(":")[2] for spec in refspecs],
                result.argv,
                result.returncode,
                "\n".join(filter(None, [result.stderr.strip(), result.stdout.strip()])),
                cwd=self.root,
            )
