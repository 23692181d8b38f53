"""How runs are shown: a live Rich view on a terminal, plain lines or JSON lines otherwise."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live

    from devora.store import Event

__all__ = ["JsonPrinter", "LiveView", "PlainPrinter", "event_json", "format_event"]

_STATUS_STYLE = {
    "pending": "dim",
    "running": "cyan",
    "succeeded": "green",
    "planned": "blue",
    "skipped": "dim",
    "failed": "red",
    "waiting": "yellow",
    "cancelled": "magenta",
    "compensated": "yellow",
    "compensation_failed": "red",
    "retrying": "yellow",
    "retried": "yellow",
}


def format_event(event: Event) -> str:
    """One human line for an event: time, run, kind, step, details."""
    clock = time.strftime("%H:%M:%S", time.localtime(event.at))
    parts = [clock, event.run_id, event.kind.value]
    if event.step_id:
        parts.append(event.step_id)
    status = event.data.get("status")
    if status:
        parts.append(f"[{status}]")
    if event.message and event.message != status:
        parts.append(f"- {event.message}")
    duration = event.data.get("duration")
    if duration is not None:
        parts.append(f"({duration:.2f}s)")
    return " ".join(parts)


def event_json(event: Event) -> str:
    """The event as one JSON line."""
    return json.dumps(event.model_dump(mode="json"), separators=(",", ":"), default=str)


@dataclass
class PlainPrinter:
    """One plain line per event, for logs and pipes."""

    stream: TextIO = field(default_factory=lambda: sys.stdout)

    def __call__(self, event: Event) -> None:
        print(format_event(event), file=self.stream, flush=True)


@dataclass
class JsonPrinter:
    """One JSON line per event; the last line of a run is its run.finished event."""

    stream: TextIO = field(default_factory=lambda: sys.stdout)
    run_id: str | None = None

    def __call__(self, event: Event) -> None:
        print(event_json(event), file=self.stream, flush=True)


@dataclass
class _Row:
    step: str
    squad: str
    status: str = "pending"
    started: float | None = None
    ended: float | None = None
    last: str = ""


class LiveView:
    """A live table of steps: status, squad, duration and the last log line."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.rows: dict[str, _Row] = {}
        self.title = ""
        self._live: Live | None = None

    def __enter__(self) -> LiveView:
        from rich.live import Live

        self._live = Live(self._table(), console=self.console, refresh_per_second=8)
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.update(self._table())
            self._live.__exit__(None, None, None)
            self._live = None

    def __call__(self, event: Event) -> None:
        self._apply(event)
        if self._live is not None:
            self._live.update(self._table())

    def _key(self, event: Event) -> str:
        step = event.step_id or ""
        if "." in event.run_id:  # a child run: show its steps under the parent's step
            return f"{event.run_id.rsplit('.', 1)[1]} > {step}"
        return step

    def _apply(self, event: Event) -> None:
        kind = event.kind.value
        data: dict[str, Any] = event.data
        if kind == "run.created" and "." not in event.run_id:
            self.title = f"{data.get('workflow')}  {event.run_id}"
            for step in data.get("steps", []):
                self.rows.setdefault(step["id"], _Row(step["id"], step["squad"] or ""))
            return
        if kind == "run.created":
            for step in data.get("steps", []):
                key = f"{event.run_id.rsplit('.', 1)[1]} > {step['id']}"
                self.rows.setdefault(key, _Row(key, step["squad"] or ""))
            return
        if not event.step_id:
            return
        key = self._key(event)
        row = self.rows.setdefault(key, _Row(key, str(data.get("squad") or "")))
        if kind == "step.started":
            row.status, row.started, row.ended = "running", event.at, None
        elif kind == "step.log":
            row.last = event.message or ""
        elif kind == "step.retry_scheduled":
            row.status, row.last = "retrying", event.message or ""
        elif kind in ("step.finished", "step.waiting"):
            row.status = str(data.get("status", "finished"))
            row.ended = event.at
            if event.message:
                row.last = event.message
        elif kind == "compensation.finished":
            row.status = str(data.get("status", row.status))
            if event.message:
                row.last = event.message

    def _table(self) -> Any:
        from rich.table import Table

        table = Table(title=self.title or None, expand=False, title_justify="left")
        table.add_column("step")
        table.add_column("squad", style="dim")
        table.add_column("status")
        table.add_column("time", justify="right")
        table.add_column("last", overflow="ellipsis", max_width=60, no_wrap=True)
        now = time.time()
        for row in self.rows.values():
            seconds = "" if row.started is None else f"{(row.ended or now) - row.started:.1f}s"
            style = _STATUS_STYLE.get(row.status, "")
            table.add_row(row.step, row.squad, f"[{style}]{row.status}[/]", seconds, row.last)
        return table
