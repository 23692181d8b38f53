"""`devora hook install|uninstall`: the quality gate as a git pre-commit hook."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from devora.cli._common import console
from devora.errors import UsageError

__all__ = ["HOOK_MARKER", "hook_script", "register"]

HOOK_MARKER = "# devora-quality-gate"
_BACKUP_SUFFIX = ".before-devora"

hook_app = typer.Typer(
    name="hook",
    help="Run the quality gate from git: a pre-commit hook.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Add the `hook` commands to the app."""
    app.add_typer(hook_app, name="hook")


class ForeignHookError(UsageError):
    """A pre-commit hook that Devora did not write is already there."""

    code = "foreign_hook"

    def __init__(self, hook: Path) -> None:
        self.hook = str(hook)
        super().__init__(
            f"{hook} already exists and was not written by Devora",
            hint=f"--force keeps it as {hook.name}{_BACKUP_SUFFIX} and installs Devora's; "
            "or call `devora run quality-gate --changed` from your own hook",
        )


def hook_script(project: str, command: list[str]) -> str:
    """The text of the pre-commit hook that gates the project (a path relative to the root)."""
    argv = [*command, "run", "quality-gate", "--changed", project]
    return (
        "#!/bin/sh\n"
        f"{HOOK_MARKER}: installed by `devora hook install`; "
        "`devora hook uninstall` removes it.\n"
        "# Judges the lines changed since HEAD (the working tree, staged or not).\n"
        'cd "$(git rev-parse --show-toplevel)" || exit 1\n'
        f"exec {shlex.join(argv)}\n"
    )


@hook_app.command("install")
def install(
    repository: Annotated[
        Path, typer.Argument(help="The git repository (default: the current directory).")
    ] = Path("."),
    project: Annotated[
        str, typer.Option(help="The project to gate, relative to the repository's root.")
    ] = ".",
    force: Annotated[
        bool, typer.Option(help="Replace a hook Devora did not write (it is kept aside).")
    ] = False,
) -> None:
    """Install a git pre-commit hook that runs the quality gate on the changed lines."""
    hook = _hooks_dir(repository) / "pre-commit"
    if hook.exists() and HOOK_MARKER not in _read(hook):
        if not force:
            raise ForeignHookError(hook)
        hook.replace(hook.with_name(hook.name + _BACKUP_SUFFIX))
        console().print(f"kept the earlier hook as {hook.name}{_BACKUP_SUFFIX}")
    hook.parent.mkdir(parents=True, exist_ok=True)
    # The Python running this command has Devora installed: the hook uses the same one.
    hook.write_text(hook_script(project, [sys.executable, "-m", "devora"]), encoding="utf-8")
    hook.chmod(0o755)
    console().print(f"installed {hook}: each commit runs the quality gate on the changed lines")


@hook_app.command("uninstall")
def uninstall(
    repository: Annotated[
        Path, typer.Argument(help="The git repository (default: the current directory).")
    ] = Path("."),
) -> None:
    """Remove Devora's pre-commit hook (and bring back the one it replaced, if any)."""
    hook = _hooks_dir(repository) / "pre-commit"
    if not hook.exists() or HOOK_MARKER not in _read(hook):
        console().print(f"no Devora hook at {hook}: nothing to remove")
        return
    hook.unlink()
    backup = hook.with_name(hook.name + _BACKUP_SUFFIX)
    if backup.exists():
        backup.replace(hook)
        console().print(f"removed Devora's hook; restored the earlier {hook}")
    else:
        console().print(f"removed {hook}")


def _hooks_dir(repository: Path) -> Path:
    import asyncio

    # Imported here: `devora --help` need not load the tools' models.
    from devora.tools.git import NotAGitRepositoryError, git_error_detail, run_git

    def not_a_repository(problem: str) -> NotAGitRepositoryError:
        return NotAGitRepositoryError(
            repository,
            problem,
            message=f"{repository} is not in a git repository ({problem})",
            hint="pass the repository's directory, or `git init` it first",
        )

    if not repository.is_dir():
        raise not_a_repository("no such directory")
    args = ["rev-parse", "--path-format=absolute", "--git-path", "hooks"]
    completed = asyncio.run(run_git(repository, args, time_limit=30, check=False))
    if completed.returncode != 0:
        raise not_a_repository(git_error_detail(completed.stderr, completed.returncode))
    return Path(completed.stdout.strip())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
