"""Named fault-injection points, so tests can kill a run at exact commit boundaries.

Set ``DEVORA_CRASH_AT=POINT:STEP`` or ``POINT:STEP@ATTEMPT`` (several separated by
commas) and the process kills itself with SIGKILL when it reaches that point for that
step (and attempt; compensations count as attempts too):

- ``before_commit:STEP`` — the step finished, its result is about to be committed;
- ``after_commit:STEP`` — the commit holding the step's result has just landed;
- ``in_step:STEP`` — the step (or its compensation) has started and is running.

Unset in production: the check is one truth test.
"""

from __future__ import annotations

import os
import signal
from typing import Any

__all__ = ["fault_point", "fault_point_in_step"]


def _parse(spec: str) -> frozenset[tuple[str, str, int | None]]:
    points: set[tuple[str, str, int | None]] = set()
    for item in spec.split(","):
        point, _, target = item.strip().partition(":")
        step, _, attempt = target.partition("@")
        if point and step:
            points.add((point, step, int(attempt) if attempt.isdigit() else None))
    return frozenset(points)


_POINTS = _parse(os.environ.get("DEVORA_CRASH_AT", ""))


def _armed(point: str, step_id: str, attempt: int) -> bool:
    return (point, step_id, None) in _POINTS or (point, step_id, attempt) in _POINTS


def _crash() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def fault_point(point: str, batch: Any) -> None:
    """Crash if a step whose result is in `batch` is armed at `point`."""
    if not _POINTS:
        return
    for record in batch.attempts:
        if _armed(point, record.step_id, record.attempt):
            _crash()


def fault_point_in_step(step_id: str, attempt: int) -> None:
    """Crash if the step's attempt is armed at `in_step`."""
    if _POINTS and _armed("in_step", step_id, attempt):
        _crash()
