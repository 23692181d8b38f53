"""Running git, the one way Devora does: an argv list, a time limit, errors translated.

git starts through `run_bounded` like every process, in a process group of its own, with a
stable non-interactive environment that ignores a calling hook's repository variables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from devora.errors import ToolNotInstalledError
from devora.tools._subprocess import ProcessTimedOut, run_bounded
from devora.tools.git._errors import GitCommandError, GitTimeoutError

__all__ = [
    "COMMITTER",
    "DEFAULT_GIT_TIMEOUT",
    "GIT_INSTALL",
    "GitResult",
    "git_environment",
    "git_output",
    "run_git",
]

DEFAULT_GIT_TIMEOUT = 60.0
GIT_INSTALL = "apt-get install git (Debian/Ubuntu), brew install git (macOS)"

# Options for commits Devora makes itself (the agent's, a scratch copy's): they do not
# depend on the user's identity, signing or hooks.
COMMITTER = (
    "-c",
    "user.name=Devora",
    "-c",
    "user.email=devora@localhost",
    "-c",
    "commit.gpgsign=false",
)

# Stable, English, non-interactive output: git must never wait for a password or an editor.
_GIT_ENV = {
    "LC_ALL": "C",
    "LANGUAGE": "C",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_EDITOR": "true",
    "GIT_PAGER": "cat",
}


# `git rev-parse --local-env-vars`: set by git for hooks (Devora may run from one) and
# meant for the repository that runs the hook. Left in place they would point every command
# at that repository whatever cwd says.
_REPOSITORY_ENV = frozenset(
    {
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_OBJECT_DIRECTORY",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_GRAFT_FILE",
        "GIT_INDEX_FILE",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_REPLACE_REF_BASE",
        "GIT_PREFIX",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_SHALLOW_FILE",
        "GIT_COMMON_DIR",
    }
)


def git_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment git runs with: ours, minus a calling hook's repository variables."""
    inherited = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_ENV}
    return {**inherited, **_GIT_ENV, **(extra or {})}


@dataclass(frozen=True)
class GitResult:
    """What a finished git command returned."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


async def run_git(
    cwd: Path,
    args: Sequence[str],
    *,
    time_limit: float = DEFAULT_GIT_TIMEOUT,
    check: bool = True,
    env: Mapping[str, str] | None = None,
) -> GitResult:
    """Run ``git ARGS`` in cwd, killed after time_limit seconds; raise GitCommandError on
    failure when check is true."""
    argv = ("git", *args)
    try:
        # Its own process group (run_bounded), so that a timeout also kills what git started
        # (hooks, ssh, credential helpers), which would otherwise keep its pipes open; and
        # git never outlives a timeout or a cancellation (it may hold index.lock).
        completed = await run_bounded(
            argv, cwd=cwd, time_limit=time_limit, env=git_environment(env)
        )
    except FileNotFoundError as error:
        if error.filename != "git":
            raise NotADirectoryError(f"no such directory: {cwd}") from error
        raise ToolNotInstalledError("git", GIT_INSTALL) from error
    except ProcessTimedOut as error:
        raise GitTimeoutError(argv, time_limit, cwd=cwd) from error
    result = GitResult(
        argv,
        completed.returncode,
        completed.stdout.decode("utf-8", errors="replace"),
        completed.stderr.decode("utf-8", errors="replace"),
    )
    if check and result.returncode != 0:
        # Some failures ("nothing to commit") are reported on stdout only.
        output = result.stderr if result.stderr.strip() else result.stdout
        raise GitCommandError(argv, result.returncode, output, cwd=cwd)
    return result


async def git_output(
    cwd: Path, args: Sequence[str], *, time_limit: float = DEFAULT_GIT_TIMEOUT
) -> str:
    """The stdout of ``git ARGS`` run in cwd; GitCommandError when it fails."""
    return (await run_git(cwd, args, time_limit=time_limit)).stdout
