"""`devora scheduler`: fire the `[schedules]` of the configuration, without the server."""

from __future__ import annotations

import signal
from typing import Annotated

import typer

from devora.cli._common import console, err_console, open_cli_store

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the `scheduler` command to the app."""
    app.command()(scheduler)


def scheduler(
    once: Annotated[
        bool, typer.Option("--once", help="Fire the ticks due now, wait for their runs, exit.")
    ] = False,
) -> None:
    """Run the workflows of [schedules.NAME] at their cron ticks (docs/serve.md, Schedules)."""
    import asyncio

    from devora.cli._common import _run_context
    from devora.config import load_config
    from devora.engine import Engine
    from devora.errors import UsageError
    from devora.scheduling import Scheduler, check_schedules, load_schedules

    schedules = load_schedules(load_config())
    if not schedules:
        raise UsageError(
            "no schedules in the configuration",
            hint='add [schedules.NAME] with workflow = "...", cron = "0 3 * * *" to devora.toml',
        )
    check_schedules(schedules)
    out = console()

    def report(message: str) -> None:
        out.print(message, markup=False, highlight=False, soft_wrap=True)

    async def main() -> None:
        from devora.scheduling import open_local_runs

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        with open_cli_store() as store:
            engine = Engine(store, run_context=_run_context())
            async with open_local_runs(engine, report) as runs:
                runner = Scheduler(store, schedules, runs, report=report)
                for name, schedule in schedules.items():
                    report(f"schedule {name}: {schedule.workflow} at {schedule.cron!r} (UTC)")
                if once:
                    await runner.fire_due()
                    await runs.wait()
                else:
                    await runner.run(stop)
        err_console().print("scheduler stopped", markup=False)

    asyncio.run(main())
