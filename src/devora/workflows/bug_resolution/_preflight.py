"""What is checked before a bug-resolution run is recorded: the repository, its tree, the
reproducer's tool and test ids, and --good. A bad one is one clear error and no run."""

from __future__ import annotations

import shutil
from pathlib import Path

from devora.errors import ToolNotInstalledError
from devora.store import resolve_store_location
from devora.tools.bisect import GoodIsBadError, commits_between, resolve_commit
from devora.tools.git import NotAGitRepositoryError, git_output, parse_status_paths, run_git
from devora.tools.testrun import Reproducer, Verdict, run_reproducer
from devora.workflows.bug_resolution._errors import DirtyTreeError
from devora.workflows.bug_resolution._inputs import BugInputs
from devora.workflows.bug_resolution._project import (
    environment_python,
    open_checkout,
    reproducer_files,
    run_in,
    test_files,
)

__all__ = ["preflight"]


async def preflight(inputs: BugInputs) -> None:
    """Raise the one error that makes this run impossible, before it is recorded."""
    top = await _top(Path(inputs.path))
    head = await resolve_commit(top, "HEAD", "HEAD")
    reproducer = inputs.reproducer()
    await _clean(top, reproducer)
    good = await resolve_commit(top, inputs.good, "--good") if inputs.good else None
    if good is not None:
        await commits_between(top, good, head)  # NotAnAncestorError
    if reproducer is None:
        return  # the reproducer is written by the run itself
    if reproducer.argv:
        _tool(top, reproducer.argv[0])
    cache = resolve_store_location().home / "cache" / "environments"
    python = await environment_python(
        top, cache, lambda _: None, required=bool(reproducer.test_ids)
    )
    async with open_checkout(top, head) as root:
        if reproducer.test_ids:
            # pytest itself says whether the test ids exist (UnknownTestError).
            await run_reproducer(Reproducer(test_ids=reproducer.test_ids, time_limit=120), root,
                                 python)  # fmt: skip
        if good is not None:
            overlay = await reproducer_files(top, head, reproducer) if reproducer.test_ids else {}
            await run_git(root, ["checkout", "--detach", "--force", "--quiet", good])
            run = await run_in(root, reproducer, python, overlay)
            if run.verdict is Verdict.FAILED:
                raise GoodIsBadError(str(inputs.good), good, run.output_tail[-800:])


async def _top(path: Path) -> Path:
    found = await run_git(path, ["rev-parse", "--show-toplevel"], check=False)
    if found.returncode != 0:
        raise NotAGitRepositoryError(path, "not a git repository")
    return Path(found.stdout.strip())


async def _clean(top: Path, reproducer: Reproducer | None) -> None:
    """Changes to tracked files, or an uncommitted reproducer test, would not be seen."""
    status = await git_output(top, ["status", "--porcelain", "-z", "--untracked-files=all"])
    changed = parse_status_paths(status)
    tracked = await git_output(top, ["status", "--porcelain", "-z", "--untracked-files=no"])
    dirty = parse_status_paths(tracked)
    files = test_files(reproducer) if reproducer is not None else []
    dirty += [path for path in changed if path in files and path not in dirty]
    if dirty:
        raise DirtyTreeError(str(top), dirty)


def _tool(top: Path, program: str) -> None:
    if shutil.which(program) is None and not (top / program).is_file():
        raise ToolNotInstalledError(program, f"install {program}, or give its full path")
