"""Running Locust headless for one stage of a load test, and reading its stats back."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

from devora.errors import StepError, TimedOut, ToolNotInstalledError
from devora.tools._subprocess import ToolTimeoutError, run_process
from devora.tools.locust._locustfile import locustfile_source
from devora.tools.locust._stats import StageResult, parse_locust_stats_csv

__all__ = ["MIN_STAGE_SECONDS", "LocustTimeoutError", "locust_command", "run_stage"]

MIN_STAGE_SECONDS = 1


class LocustTimeoutError(StepError, TimedOut):
    """A Locust stage did not finish within its time limit and was killed."""

    code = "locust_timeout"

    def __init__(self, users: int, limit: float) -> None:
        self.users = users
        self.limit = limit
        self.what = f"the {users}-user Locust stage"
        super().__init__(
            f"Locust did not finish the {users}-user stage within {limit:g} s",
            hint="lower stage_seconds or check that the service answers",
        )


def locust_command() -> list[str]:
    """The argv prefix that runs Locust with this Python; an error when it is not installed."""
    if importlib.util.find_spec("locust") is None:
        raise ToolNotInstalledError("locust", f"{sys.executable} -m pip install locust")
    return [sys.executable, "-m", "locust"]


async def run_stage(
    *,
    endpoints: list[str],
    max_requests: int,
    host: str,
    users: int,
    spawn_rate: float,
    seconds: float,
    workdir: Path,
) -> StageResult:
    """Run one headless stage of `users` users for `seconds` and read its stats."""
    stats = workdir / f"stage-{users}_stats.csv"
    locustfile = workdir / f"locustfile_stage_{users}.py"
    source = locustfile_source(endpoints, max_requests, stats)
    await asyncio.to_thread(locustfile.write_text, source, encoding="utf-8")
    argv = [
        *locust_command(),
        "-f",
        str(locustfile),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        f"{spawn_rate:g}",
        "--run-time",
        f"{max(MIN_STAGE_SECONDS, round(seconds))}s",
        "--host",
        host,
        "--only-summary",
        "--exit-code-on-error",
        "0",
        "--stop-timeout",
        "2",
        "--loglevel",
        "WARNING",
    ]
    try:
        output = await run_process(argv, cwd=workdir, time_limit=seconds + 60)
    except ToolTimeoutError as error:
        raise LocustTimeoutError(users, seconds + 60) from error
    text = await asyncio.to_thread(_read, stats)
    if text is None or output.exit_code != 0:
        lines = (output.stderr or output.stdout).strip().splitlines()[-8:]
        raise StepError(
            f"Locust failed in the {users}-user stage (exit code {output.exit_code}): "
            + ("\n".join(lines) or "no output"),
            hint="run the same locust command by hand to see why (devora logs RUN shows it)",
        )
    try:
        return parse_locust_stats_csv(text, users, seconds)
    except ValueError as error:
        raise StepError(
            f"cannot read Locust's stats for the {users}-user stage: {error}"
        ) from error


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None
