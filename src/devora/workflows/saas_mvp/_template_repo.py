"""The SaaS MVP template as a git repository in Devora's cache, one tag per template version,
so that a generated project can take template updates with `copier update`.

copier updates a project from a template it can find again at a version it can compare:
a git repository with PEP 440 tags. The packaged template is a plain directory, so the
architecture step keeps a repository of it (`<home>/cache/saas-mvp/template`): the packaged
files committed and tagged `v<TEMPLATE_VERSION>`, a new commit and tag when Devora brings a
new version (or, for the same version, different files: the packaged files are the truth).
A project generated from it records the repository and the tag in `.copier-answers.yml`;
once Devora has a newer template, `copier update` in that project moves it there.
"""

from __future__ import annotations

import asyncio
import fcntl
import shutil
from pathlib import Path

from devora.tools.git import COMMITTER, run_git
from devora.workflows.saas_mvp import _generate
from devora.workflows.saas_mvp._context import TEMPLATE_VERSION

__all__ = ["template_repository", "template_tag"]

_NOT_TEMPLATE = shutil.ignore_patterns("__pycache__", "*.pyc")
# Commits dated and signed alike: the same template files give the same commit.
_FIXED_DATES = {
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
}


def template_tag(version: str = TEMPLATE_VERSION) -> str:
    """The git tag of a template version (copier reads `v1` as version 1)."""
    return f"v{version}"


async def template_repository(
    repository: Path, *, source: Path | None = None, version: str = TEMPLATE_VERSION
) -> Path:
    """The template repository, its tag for `version` holding exactly the files of `source`
    (the packaged template by default)."""
    source = source or _generate.TEMPLATE
    await asyncio.to_thread(repository.mkdir, parents=True, exist_ok=True)
    with (repository.parent / f".{repository.name}.lock").open("w") as lock:
        # Two runs generating at once: one commits, the other finds the tag there.
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
        try:
            await _tag_version(repository, source, template_tag(version))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return repository


async def _tag_version(repository: Path, source: Path, tag: str) -> None:
    if not (repository / ".git").is_dir():
        await run_git(repository, ["init", "-q", "-b", "main"])
    await asyncio.to_thread(_replace_files, source, repository)
    committed = await _commit(repository, f"Devora's SaaS MVP template, {tag}")
    tagged = await run_git(repository, ["rev-parse", "-q", "--verify", f"refs/tags/{tag}"],
                           check=False)  # fmt: skip
    if committed or tagged.returncode != 0:
        await run_git(repository, [*COMMITTER, "tag", "-f", tag], env=_FIXED_DATES)


async def _commit(repository: Path, message: str) -> bool:
    """Commit the work tree when it differs from HEAD (or there is no HEAD); True if so."""
    await run_git(repository, ["add", "-A"])
    head = await run_git(repository, ["rev-parse", "-q", "--verify", "HEAD"], check=False)
    if head.returncode == 0:
        staged = await run_git(repository, ["diff", "--cached", "--quiet"], check=False)
        if staged.returncode == 0:
            return False
    await run_git(repository, [*COMMITTER, "commit", "-q", "--no-verify", "-m", message],
                  env=_FIXED_DATES)  # fmt: skip
    return True


def _replace_files(source: Path, repository: Path) -> None:
    for entry in repository.iterdir():
        if entry.name == ".git":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    shutil.copytree(source, repository, ignore=_NOT_TEMPLATE, dirs_exist_ok=True)
