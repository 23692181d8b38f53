"""The project under repair: its environment, its reproducer, and throwaway checkouts of it."""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

from devora.errors import ToolNotInstalledError
from devora.tools.bisect import Probe, open_checkouts
from devora.tools.git import git_output
from devora.tools.pyenv import resolve_environment
from devora.tools.testrun import (
    PYTEST_INSTALL,
    Reproducer,
    ReproducerRun,
    UnknownTestError,
    Verdict,
    run_reproducer,
)

__all__ = [
    "environment_python",
    "make_probe",
    "open_checkout",
    "reproducer_files",
    "run_in",
    "test_files",
]


def _pyproject(root: Path) -> dict[str, object]:
    try:
        return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


async def environment_python(
    root: Path, cache: Path, log: Callable[[str], None], *, required: bool
) -> Path | None:
    """The project's interpreter (its own environment, or one Devora makes and caches).

    None when there is none and it is not `required` (a command reproducer needs none);
    ToolNotInstalledError when it is required.
    """
    environment = await resolve_environment(root, _pyproject(root), cache_dir=cache, log=log)
    if environment.usable and environment.python is not None:
        log(f"python environment: {environment.describe()}")
        return environment.python
    if required:
        raise ToolNotInstalledError(
            "python environment",
            f"{environment.problem}; create the project's .venv with pytest in it, "
            f"or {PYTEST_INSTALL}",
        )
    return None


def test_files(reproducer: Reproducer) -> list[str]:
    """The files the reproducer's test ids live in."""
    return sorted({test_id.split("::", 1)[0] for test_id in reproducer.test_ids})


async def reproducer_files(repository: Path, commit: str, reproducer: Reproducer) -> dict[str, str]:
    """The reproducer's test files as `commit` holds them (put into older checkouts)."""
    files: dict[str, str] = {}
    for name in test_files(reproducer):
        files[name] = await git_output(repository, ["show", f"{commit}:{name}"])
    return files


def _write_overlay(root: Path, overlay: Mapping[str, str]) -> None:
    for name, text in overlay.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


@contextlib.asynccontextmanager
async def open_checkout(repository: Path, commit: str) -> AsyncIterator[Path]:
    """A detached worktree of `commit` in a temporary directory, removed on leaving."""
    async with open_checkouts(repository, 1, commit) as paths:
        yield paths[0]


async def run_in(
    root: Path, reproducer: Reproducer, python: Path | None, overlay: Mapping[str, str] = {}
) -> ReproducerRun:
    """The reproducer once at root, its test files put there first; a test id root lacks is
    untestable there (as `git bisect run` treats exit 125)."""
    _write_overlay(root, overlay)
    try:
        return await run_reproducer(reproducer, root, python)
    except UnknownTestError as error:
        return ReproducerRun(verdict=Verdict.UNTESTABLE, exit_code=None, output_tail=str(error))


def make_probe(
    reproducer: Reproducer, python: Path | None, overlay: Mapping[str, str], *, repeat: int = 1
) -> Probe:
    """A bisection probe: the reproducer at a checkout; failed when any of `repeat` runs fails
    (a flaky bug shows up within a few runs), passed only when every run passed."""

    async def probe(path: Path) -> Verdict:
        verdicts = [(await run_in(path, reproducer, python, overlay)).verdict]
        while verdicts[-1] is Verdict.PASSED and len(verdicts) < repeat:
            verdicts.append((await run_in(path, reproducer, python, overlay)).verdict)
        return verdicts[-1]

    return probe
