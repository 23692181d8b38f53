"""The typed record of an error inside the engine, and its JSON forms (journal and events)."""

from __future__ import annotations

import traceback as tb
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["ErrorRecord"]


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """Why a step, a compensation or a run failed.

    `type` is the error's qualified class name (`devora.errors.StepError`), `step` the step
    where the run failed (set when the run ends, by the saga). The journal keeps
    `to_json()`; events carry `event_json()`, the same without the traceback.
    """

    type: str
    message: str
    traceback: str = ""
    hint: str | None = None
    step: str | None = None

    @classmethod
    def from_exception(cls, exc: BaseException) -> ErrorRecord:
        """The record of a raised error: its class, message, traceback and hint."""
        kind = type(exc)
        hint = getattr(exc, "hint", None)
        return cls(
            type=f"{kind.__module__}.{kind.__qualname__}",
            message=str(exc) or kind.__name__,
            traceback="".join(tb.format_exception(exc)),
            hint=str(hint) if hint else None,
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ErrorRecord:
        """A journaled error (also one journaled before this record existed) read back."""
        return cls(
            type=str(data.get("type", "")),
            message=str(data.get("message", "")),
            traceback=str(data.get("traceback") or ""),
            hint=data.get("hint") or None,
            step=data.get("step") or None,
        )

    def prefixed(self, context: str) -> ErrorRecord:
        """The same error with `context: ` put before its message."""
        return replace(self, message=f"{context}: {self.message}")

    def at_step(self, step_id: str) -> ErrorRecord:
        """The same error, located at the step where the run failed."""
        return replace(self, step=step_id)

    def to_json(self) -> dict[str, Any]:
        """The journaled form: type, message, traceback, then hint and step when known."""
        data: dict[str, Any] = {
            "type": self.type,
            "message": self.message,
            "traceback": self.traceback,
        }
        if self.hint:
            data["hint"] = self.hint
        if self.step:
            data["step"] = self.step
        return data

    def event_json(self) -> dict[str, Any]:
        """The form events carry (the CLI's --json, notifications): no traceback."""
        data = self.to_json()
        del data["traceback"]
        return data
