"""What every command shares: the console, the store, exit codes, running with a view."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from devora.errors import (
    EXIT_CANCELLED,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_WAITING,
    DevoraError,
)

if TYPE_CHECKING:
    from rich.console import Console

    from devora.engine import Engine, RunResult
    from devora.store import Store

__all__ = [
    "Interrupted",
    "console",
    "err_console",
    "exit_code_for",
    "open_cli_store",
    "print_result",
    "run_with_view",
]

_console: Console | None = None
_err_console: Console | None = None


def console() -> Console:
    """The console for normal output (stdout)."""
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(highlight=False)
    return _console


def err_console() -> Console:
    """The console for errors and hints (stderr)."""
    global _err_console
    if _err_console is None:
        from rich.console import Console

        _err_console = Console(stderr=True, highlight=False, soft_wrap=True)
    return _err_console


def open_cli_store() -> Store:
    """Open the store named by DEVORA_DATABASE_URL / DEVORA_HOME."""
    from devora.store import open_store

    return open_store()


def exit_code_for(status: str) -> int:
    """The documented exit code for a run's status."""
    if status == "succeeded":
        return EXIT_OK
    if status == "waiting":
        return EXIT_WAITING
    if status == "cancelled":
        return EXIT_CANCELLED
    return EXIT_FAILED


class Interrupted(DevoraError):
    """Ctrl-C stopped a run; it is recorded as cancelled and can be resumed."""

    code = "interrupted"
    exit_code = EXIT_INTERRUPTED
    default_hint = "`devora runs --status cancelled` lists the runs that can be resumed"

    def __init__(self, run_id: str | None) -> None:
        self.run_id = run_id
        where = f" run {run_id}" if run_id else ""
        super().__init__(
            f"interrupted:{where} cancelled",
            hint=f"continue it with `devora resume {run_id}`" if run_id else None,
        )


def run_with_view(
    start: Callable[[Engine], Coroutine[Any, Any, RunResult]],
    *,
    store: Store,
    json_lines: bool,
    concurrency: int | None = None,
) -> RunResult:
    """Run `start(engine)` showing events live, as plain lines, or as JSON lines."""
    from devora.cli._render import JsonPrinter, LiveView, PlainPrinter
    from devora.engine import Engine, EventBus

    bus = EventBus()
    seen: dict[str, str] = {}

    def remember(event: Any) -> None:
        seen.setdefault("run_id", event.run_id)

    bus.subscribe(remember)
    engine = Engine(
        store,
        bus=bus,
        concurrency=concurrency,
        run_context=_run_context(),
        executor=_executor(store),  # checked here: a bad setting makes no run
    )
    interactive = not json_lines and sys.stdout.isatty()
    if json_lines:
        bus.subscribe(_redacting(JsonPrinter()))
    elif not interactive:
        bus.subscribe(_redacting(PlainPrinter()))
    notifier = _notifier()
    if notifier is not None:
        bus.subscribe(notifier)
    _interruptible()
    try:
        if interactive:
            with LiveView(console()) as view:
                bus.subscribe(_redacting(view))
                return _run_outside_task(start(engine))
        return _run_outside_task(start(engine))
    except KeyboardInterrupt:
        raise Interrupted(seen.get("run_id")) from None
    finally:
        if notifier is not None:
            notifier.close()


def _interruptible() -> None:
    """Let Ctrl-C (SIGINT) cancel the run even when this process was started with SIGINT
    ignored (a non-interactive shell's background job, a test runner's worker): Python
    then installs no KeyboardInterrupt handler, nor does asyncio's runner, and the run
    would go on to its end."""
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        with contextlib.suppress(ValueError):  # not the main thread: nothing to install
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _run_outside_task(coroutine: Coroutine[Any, Any, RunResult]) -> RunResult:
    """asyncio.run, the result handed out beside the task rather than as its result: Python
    3.11's runner formats its main task, result included, twice while it restores the SIGINT
    handler (0.1-0.2 s for a quality gate with hundreds of findings)."""
    import asyncio

    results: list[RunResult] = []

    async def main() -> None:
        results.append(await coroutine)

    asyncio.run(main())
    return results[0]


def _executor(store: Store) -> Any:
    """The executor the configuration names (celery: broker reachable, store PostgreSQL)."""
    from devora.config import load_config
    from devora.executors import executor_from_config

    return executor_from_config(load_config(), store)


def _run_context() -> dict[str, Any]:
    """What every run this process creates records: who may approve its steps."""
    from devora.config import load_config
    from devora.squads import approval_policy

    return {"approval_policy": approval_policy(load_config())}


def _redacting(show: Callable[[Any], None]) -> Callable[[Any], None]:
    """`show` given events with every secret masked (the terminal is a boundary too)."""
    from devora.secrets import redact, redact_value

    def redacted(event: Any) -> None:
        message = None if event.message is None else redact(event.message)
        show(event.model_copy(update={"message": message, "data": redact_value(event.data)}))

    return redacted


def _notifier() -> Any:
    """A notifier for the squads' contacts, or None when no squad has one."""
    from devora.config import load_config
    from devora.notify import Notifier
    from devora.squads import effective_squads

    notifier = Notifier(effective_squads(load_config()).values())
    return notifier if notifier.active else None


def print_result(result: RunResult) -> None:
    """A short human summary of how a run ended, and what to do next."""
    from rich.markup import escape

    from devora.secrets import redact, redact_value

    out = console()
    style = {"succeeded": "green", "waiting": "yellow", "cancelled": "magenta"}.get(
        result.status.value, "red"
    )
    label = " (dry-run)" if result.dry_run else ""
    out.print(f"[bold]run {result.run_id}[/] [{style}]{result.status.value}[/]{label}")
    for step_id, plan in result.plans.items():
        out.print(f"  plan [bold]{escape(step_id)}[/]: {escape(plan.summary)}")
        for change in plan.changes:
            out.print(f"    - {escape(change)}")
    if result.error:
        where = f"step {result.error.step}: " if result.error.step else ""
        message = redact(where + result.error.message)
        out.print(f"  [red]error[/] {escape(message)}")
        if result.error.hint:
            out.print(f"  hint: {escape(redact(result.error.hint))}")
    for step_id, outcome in result.compensations.items():
        out.print(f"  compensation {escape(step_id)}: {outcome.status.value}")
    for step_id, request in result.waiting.items():
        out.print(f"  [yellow]waiting[/] {escape(step_id)}: {escape(request.prompt)}")
        if request.kind == "approval":
            out.print(f"    approve: devora approve {result.run_id} {step_id}")
        elif request.kind == "input":
            out.print(f"    answer:  devora complete {result.run_id} {step_id} --output FILE")
    if result.outputs:
        import json

        outputs = json.dumps(redact_value(result.outputs), default=str)
        out.print("  outputs: " + escape(outputs))
    if result.status.value in ("waiting", "cancelled"):
        out.print(f"  resume with: devora resume {result.run_id}")
